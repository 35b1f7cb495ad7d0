import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../../src/connector/types.js';
import { CaptureMemory, WINDOW_REREAD_MS } from '../../src/pipeline/capture-memory.js';

const record = (
  id: string,
  fields: Record<string, unknown>,
  modifiedAt = '2024-05-01T10:00:00.000Z',
): SourceRecord => ({
  object: 'Lead',
  id,
  modifiedAt,
  fields,
});

describe('CaptureMemory', () => {
  it('a record read again with the same stamp and content is not queued again', () => {
    const memory = new CaptureMemory();
    const first = [record('A', { Status: 'Open' }), record('B', { Status: 'Open' })];
    expect(memory.unseen(first)).toEqual(first);
    memory.remember(first);
    expect(memory.unseen([record('A', { Status: 'Open' })])).toEqual([]);
  });

  it('for millisecond stamps (HubSpot) the stamp alone decides: a new stamp is queued, the same one is not', () => {
    const memory = new CaptureMemory(WINDOW_REREAD_MS, false);
    memory.remember([record('A', { lifecyclestage: 'lead' }, '2024-05-01T10:00:00.123Z')]);
    expect(memory.unseen([record('A', { lifecyclestage: 'lead' }, '2024-05-01T10:00:00.123Z')])).toEqual([]);
    const edited = record('A', { lifecyclestage: 'marketingqualifiedlead' }, '2024-05-01T10:00:00.456Z');
    expect(memory.unseen([edited])).toEqual([edited]);
  });

  it('the same stamp with new content (a second edit within one Salesforce second) is queued', () => {
    const memory = new CaptureMemory();
    memory.remember([record('A', { Status: 'Open' })]);
    const again = record('A', { Status: 'Working - Contacted' });
    expect(memory.unseen([again])).toEqual([again]);
  });

  it('forgets records behind the saved cursor', () => {
    const memory = new CaptureMemory();
    memory.remember([
      record('A', {}, '2024-05-01T10:00:00.000Z'),
      record('B', {}, '2024-05-01T10:00:02.000Z'),
    ]);
    memory.forgetBefore('2024-05-01T10:00:01.000Z');
    expect(memory.size).toBe(1);
    expect(memory.unseen([record('A', {}, '2024-05-01T10:00:00.000Z')])).toHaveLength(1);
  });

  it('starts from the furthest record read, and from the saved cursor once per window period', () => {
    const memory = new CaptureMemory();
    const saved = { modifiedAt: '2024-05-01T09:59:59.000Z', id: '000000000000000AAA' };
    const read = { modifiedAt: '2024-05-01T10:00:00.000Z', id: '00Q000000000009AAA' };
    expect(memory.startFrom(saved, 10_000)).toEqual(saved);
    memory.advance(read);
    expect(memory.startFrom(saved, 10_200)).toEqual(read);
    expect(memory.startFrom(saved, 10_000 + WINDOW_REREAD_MS)).toEqual(saved);
    // A cursor saved further by another process wins over what this one read.
    const further = { modifiedAt: '2024-05-01T10:00:05.000Z', id: '00Q000000000001AAA' };
    expect(memory.startFrom(further, 10_000 + WINDOW_REREAD_MS + 100)).toEqual(further);
  });
});
