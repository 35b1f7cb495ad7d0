import { describe, expect, it } from 'vitest';
import { compareCursors, settledCursor } from '../../src/pipeline/capture.js';

describe('saved capture cursor', () => {
  const read = { modifiedAt: '2024-05-01T10:40:07.000Z', id: '00Q000000000009AAA' };
  const at = Date.parse(read.modifiedAt);

  it('stops before a second that may still receive edits (whole-second SystemModstamp)', () => {
    expect(settledCursor(read, 1_000, at + 500)).toEqual({
      modifiedAt: '2024-05-01T10:40:05.000Z',
      id: '000000000000000AAA',
    });
  });

  it('moves onto the record once its second has closed, clock margin included', () => {
    expect(settledCursor(read, 1_000, at + 2_001)).toBe(read);
  });

  it('never writes an empty id, which Salesforce rejects in `Id >`', () => {
    expect(settledCursor(read, 1_000, at).id).toMatch(/^[0-9A-Za-z]{18}$/);
  });

  it('leaves cursors alone for systems without whole-second stamps', () => {
    expect(settledCursor(read, undefined, at)).toBe(read);
  });

  it('orders cursors by time, then id', () => {
    expect(compareCursors(read, { ...read, id: '00Q000000000008AAA' })).toBeGreaterThan(0);
    expect(compareCursors(read, { ...read, modifiedAt: '2024-05-01T10:40:08.000Z' })).toBeLessThan(0);
    expect(compareCursors(read, { ...read })).toBe(0);
  });
});
