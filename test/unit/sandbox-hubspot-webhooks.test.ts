/**
 * Webhook signing (vectors F, G, H of API-NOTES §3.2), signed delivery verified with the SDK's own
 * `Signature.isValid`, automatic events for store and API changes, and the in-process store API.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Signature } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubSpotSimulator, type WebhookEvent } from '../../src/sandbox/hubspot/index.js';
import { signV3 } from '../../src/sandbox/hubspot/webhook-signer.js';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';

describe('signV3', () => {
  it('matches published vector F and derived vectors G and H', () => {
    expect(
      signV3({
        clientSecret: SECRET,
        method: 'POST',
        uri: 'https://www.example.com/webhook_uri',
        body: "{'example_field':'example_value'}",
        timestamp: 15000000,
      }),
    ).toBe('HPW73RUtKmcYoEDADG0s6MmGFWUzWJKAW07r8RDgcQw=');
    // G and H are [DERIVED] in API-NOTES (computed with an independent HMAC), not published by HubSpot.
    expect(
      signV3({
        clientSecret: SECRET,
        method: 'POST',
        uri: 'https://www.example.com/webhook_uri',
        body: '{"example_field":"example_value"}',
        timestamp: '1700000000000',
      }),
    ).toBe('rQEKkaNUiu+1qGF//O/pw4BCzstSqO1PyUnGICmf+7o=');
    expect(
      signV3({
        clientSecret: SECRET,
        method: 'POST',
        uri: 'https://example.com/hubspot/webhook',
        body: '[{"eventId":100,"subscriptionId":200,"portalId":300,"occurredAt":1700000000000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":123,"propertyName":"lifecyclestage","propertyValue":"customer","changeSource":"CRM","appId":400}]',
        timestamp: 1700000000000,
      }),
    ).toBe('tuUTfUCsLWyAk4FmEPHeAdeF/U63RkE8p5/XGGwoPhU=');
  });
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  url: string;
}

const received: Received[] = [];
let receiver: ReturnType<typeof createServer>;
let target = '';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        url: req.url ?? '',
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot?portal=1`;
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

const eventsOf = (r: Received) => JSON.parse(r.body) as WebhookEvent[];

describe('webhook delivery', () => {
  it('sends a batch the SDK verifies as a valid v3 signature', async () => {
    received.length = 0;
    const sim = new HubSpotSimulator();
    const event: WebhookEvent = {
      eventId: 1,
      subscriptionId: 2,
      portalId: 3,
      appId: 4,
      occurredAt: Date.now(),
      subscriptionType: 'contact.propertyChange',
      attemptNumber: 0,
      objectId: 5,
      propertyName: 'firstname',
      propertyValue: 'Ada',
      changeSource: 'CRM_UI',
    };
    const delivery = await sim.sendWebhooks(target, [event], 'shh');
    expect(delivery).toEqual({ status: 204, events: 1 });
    const [got] = received;
    expect(got?.headers['x-hubspot-signature-version']).toBe('v3');
    expect(got?.headers['content-type']).toBe('application/json');
    const valid = Signature.isValid({
      signatureVersion: 'v3',
      signature: String(got?.headers['x-hubspot-signature-v3']),
      clientSecret: 'shh',
      requestBody: got?.body ?? '',
      url: target,
      method: 'POST',
      timestamp: Number(got?.headers['x-hubspot-request-timestamp']),
    });
    expect(valid).toBe(true);
    expect(
      Signature.isValid({
        signatureVersion: 'v3',
        signature: String(got?.headers['x-hubspot-signature-v3']),
        clientSecret: 'other-secret',
        requestBody: got?.body ?? '',
        url: target,
        method: 'POST',
        timestamp: Number(got?.headers['x-hubspot-request-timestamp']),
      }),
    ).toBe(false);
    expect(eventsOf(got as Received)).toEqual([event]);
  });

  it('emits creation and propertyChange events for user and API changes, batched by 100', async () => {
    received.length = 0;
    const sim = new HubSpotSimulator({
      rateLimits: false,
      webhooks: { targetUrl: target, clientSecret: 'shh', appId: 777 },
    });
    const url = await sim.start();
    try {
      const id = sim.createContact({ email: 'hook@example.com' });
      sim.updateContact(id, { firstname: 'Ada' });
      await sim.flushWebhooks();
      const userEvents = received.flatMap(eventsOf);
      expect(userEvents.map((e) => [e.subscriptionType, e.propertyName ?? null])).toEqual([
        ['contact.creation', null],
        ['contact.propertyChange', 'email'],
        ['contact.propertyChange', 'firstname'],
      ]);
      expect(userEvents[2]).toMatchObject({
        objectId: Number(id),
        propertyValue: 'Ada',
        changeSource: 'CRM_UI',
        appId: 777,
      });

      received.length = 0;
      const response = await fetch(`${url}/crm/v3/objects/contacts/${id}`, {
        method: 'PATCH',
        headers: { authorization: 'Bearer pat-sandbox', 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { lastname: 'Lovelace' } }),
      });
      expect(response.status).toBe(200);
      await sim.flushWebhooks();
      expect(received.flatMap(eventsOf)).toEqual([
        expect.objectContaining({ propertyName: 'lastname', changeSource: 'INTEGRATION', sourceId: '777' }),
      ]);

      received.length = 0;
      for (let i = 0; i < 60; i++) sim.createContact({ email: `bulk${i}@example.com` });
      await sim.flushWebhooks();
      // 60 creations + 60 email changes = 120 events: one full batch of 100, then 20.
      expect(received.map((r) => eventsOf(r).length)).toEqual([100, 20]);
      expect(sim.webhookDeliveries().every((d) => d.status === 204)).toBe(true);
    } finally {
      await sim.stop();
    }
  });
});

describe('in-process store API', () => {
  it('stores strings, lowercases emails, numbers ids upwards and guards read-only properties', () => {
    const sim = new HubSpotSimulator({ now: () => Date.parse('2024-05-01T10:00:00.000Z') });
    const a = sim.createContact({ email: 'Ada@Example.COM', annualrevenue: 1e6 });
    const b = sim.createContact({ email: 'bob@example.com' });
    expect(Number(b)).toBeGreaterThan(Number(a));
    expect(sim.getContact(a)?.properties).toEqual({
      email: 'ada@example.com',
      annualrevenue: '1000000',
      hs_object_id: a,
      createdate: '2024-05-01T10:00:00.000Z',
      lastmodifieddate: '2024-05-01T10:00:00.000Z',
    });
    expect(() => sim.updateContact(a, { hubspotscore: 10 })).toThrow(/READ_ONLY_VALUE/);
    expect(() => sim.createContact({ email: 'ADA@example.com' })).toThrow(/Existing ID: /);
    sim.setReadOnly(a, 'hubspotscore', 42);
    expect(sim.getContact(a)?.properties.hubspotscore).toBe('42');
    expect(sim.getContact(a)?.history.hubspotscore?.[0]?.sourceType).toBe('CALCULATED');
    sim.updateContact(a, { jobtitle: 'Countess' }, 'AUTOMATION_PLATFORM');
    expect(sim.getContact(a)?.history.jobtitle?.[0]).toEqual({
      value: 'Countess',
      timestamp: '2024-05-01T10:00:00.000Z',
      sourceType: 'AUTOMATION_PLATFORM',
    });
    expect(sim.allContacts().map((c) => c.id)).toEqual([a, b]);
    expect(sim.getContact('nope')).toBeUndefined();
  });
});
