import { describe, expect, it } from 'vitest';
import { compareCursors, type SettleWindow, settledCursor } from '../../src/pipeline/capture.js';

const SALESFORCE: SettleWindow = {
  marginMs: 1_000,
  precisionMs: 1_000,
  lowestId: '000000000000000AAA',
  rereadEveryMs: 1_000,
};
const HUBSPOT: SettleWindow = { marginMs: 60_000, precisionMs: 1, lowestId: '0', rereadEveryMs: 10_000 };

describe('saved capture cursor', () => {
  const read = { modifiedAt: '2024-05-01T10:40:07.000Z', id: '00Q000000000009AAA' };
  const at = Date.parse(read.modifiedAt);

  it('stops before a second that may still receive edits (whole-second SystemModstamp)', () => {
    expect(settledCursor(read, SALESFORCE, at + 500)).toEqual({
      modifiedAt: '2024-05-01T10:40:05.000Z',
      id: '000000000000000AAA',
    });
  });

  it('moves onto the record once its second has closed, clock margin included', () => {
    expect(settledCursor(read, SALESFORCE, at + 2_001)).toBe(read);
  });

  it('never writes an empty id, which Salesforce rejects in `Id >`', () => {
    expect(settledCursor(read, SALESFORCE, at).id).toMatch(/^[0-9A-Za-z]{18}$/);
  });

  it('leaves cursors alone for targets without a settle window', () => {
    expect(settledCursor(read, undefined, at)).toBe(read);
  });

  it('keeps a HubSpot cursor the index lag behind, at the lowest id of that millisecond', () => {
    const hubspotRead = { modifiedAt: '2024-05-01T10:40:07.250Z', id: '51' };
    const readAt = Date.parse(hubspotRead.modifiedAt);
    expect(settledCursor(hubspotRead, HUBSPOT, readAt + 20_000)).toEqual({
      modifiedAt: '2024-05-01T10:39:27.249Z',
      id: '0',
    });
    expect(settledCursor(hubspotRead, HUBSPOT, readAt + 60_001)).toBe(hubspotRead);
  });

  it('orders cursors by time, then id', () => {
    expect(compareCursors(read, { ...read, id: '00Q000000000008AAA' })).toBeGreaterThan(0);
    expect(compareCursors(read, { ...read, modifiedAt: '2024-05-01T10:40:08.000Z' })).toBeLessThan(0);
    expect(compareCursors(read, { ...read })).toBe(0);
  });
});
