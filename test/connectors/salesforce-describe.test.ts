import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError } from '../../src/connector/errors.js';
import { API, org, sessionConnector } from './salesforce-helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

/** Subset of a real `GET /sobjects/Lead/describe` (API-NOTES §1.5); unrelated keys kept to show they are ignored. */
const leadDescribe = {
  name: 'Lead',
  label: 'Lead',
  keyPrefix: '00Q',
  custom: false,
  updateable: true,
  fields: [
    {
      name: 'Status',
      label: 'Lead Status',
      type: 'picklist',
      length: 255,
      nillable: false,
      createable: true,
      updateable: true,
      restrictedPicklist: true,
      dependentPicklist: false,
      picklistValues: [
        {
          active: true,
          defaultValue: true,
          label: 'Open - Not Contacted',
          validFor: null,
          value: 'Open - Not Contacted',
        },
        {
          active: true,
          defaultValue: false,
          label: 'Working - Contacted',
          validFor: null,
          value: 'Working - Contacted',
        },
        { active: false, defaultValue: false, label: 'Nurturing', validFor: null, value: 'Nurturing' },
        {
          active: true,
          defaultValue: false,
          label: 'Closed - Not Converted',
          validFor: null,
          value: 'Closed - Not Converted',
        },
      ],
    },
    {
      name: 'Industry',
      label: 'Industry',
      type: 'picklist',
      length: 255,
      createable: true,
      updateable: true,
      restrictedPicklist: false,
      picklistValues: [
        { active: true, defaultValue: false, label: 'Banking', validFor: null, value: 'Banking' },
      ],
    },
    {
      name: 'Email',
      label: 'Email',
      type: 'email',
      length: 80,
      createable: true,
      updateable: true,
      picklistValues: [],
    },
    {
      name: 'NumberOfEmployees',
      label: 'Employees',
      type: 'int',
      length: 0,
      createable: true,
      updateable: true,
      picklistValues: [],
    },
    {
      name: 'IsConverted',
      label: 'Converted',
      type: 'boolean',
      length: 0,
      createable: true,
      updateable: false,
      picklistValues: [],
    },
    {
      name: 'ConvertedContactId',
      label: 'Converted Contact ID',
      type: 'reference',
      length: 18,
      createable: false,
      updateable: false,
      picklistValues: [],
    },
  ],
};

describe('describe', () => {
  it('maps fields: writable from updateable||createable, active picklist values, restricted flag, length', async () => {
    const scope = org().get(`${API}/sobjects/Lead/describe`).reply(200, leadDescribe);

    const schema = await sessionConnector().describe('Lead');

    expect(scope.isDone()).toBe(true);
    expect(schema).toEqual({
      object: 'Lead',
      fields: [
        {
          name: 'Status',
          label: 'Lead Status',
          type: 'picklist',
          writable: true,
          options: ['Open - Not Contacted', 'Working - Contacted', 'Closed - Not Converted'],
          restricted: true,
          length: 255,
        },
        {
          name: 'Industry',
          label: 'Industry',
          type: 'picklist',
          writable: true,
          options: ['Banking'],
          restricted: false,
          length: 255,
        },
        { name: 'Email', label: 'Email', type: 'email', writable: true, length: 80 },
        { name: 'NumberOfEmployees', label: 'Employees', type: 'int', writable: true },
        // Create-only still counts as writable (new Leads are created with it).
        { name: 'IsConverted', label: 'Converted', type: 'boolean', writable: true },
        {
          name: 'ConvertedContactId',
          label: 'Converted Contact ID',
          type: 'reference',
          writable: false,
          length: 18,
        },
      ],
    });
  });

  it('maps 404 NOT_FOUND for an unknown object to BadRequestError', async () => {
    org()
      .get(`${API}/sobjects/Leed/describe`)
      .reply(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    const error = await sessionConnector()
      .describe('Leed')
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });
});
