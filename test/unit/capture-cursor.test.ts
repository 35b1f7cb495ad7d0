import { describe, expect, it } from 'vitest';
import { compareCursors, startCursor } from '../../src/pipeline/capture.js';

describe('capture start cursor', () => {
  const stored = { modifiedAt: '2024-05-01T10:40:07.000Z', id: '00Q000000000009AAA' };
  const at = Date.parse(stored.modifiedAt);

  it('re-reads the whole cursor second while it may still receive edits', () => {
    expect(startCursor(stored, 10_000, at + 3_000)).toEqual({
      modifiedAt: '2024-05-01T10:40:06.000Z',
      id: '',
    });
  });

  it('resumes strictly after the cursor once the second has settled', () => {
    expect(startCursor(stored, 10_000, at + 10_001)).toBe(stored);
  });

  it('leaves cursors alone for systems without whole-second stamps and for the first poll', () => {
    expect(startCursor(stored, undefined, at)).toBe(stored);
    expect(startCursor(null, 10_000, at)).toBeNull();
  });

  it('orders cursors by time, then id', () => {
    expect(compareCursors(stored, { ...stored, id: '00Q000000000008AAA' })).toBeGreaterThan(0);
    expect(compareCursors(stored, { ...stored, modifiedAt: '2024-05-01T10:40:08.000Z' })).toBeLessThan(0);
    expect(compareCursors(stored, { ...stored })).toBe(0);
  });
});
