/**
 * Salesforce record ids: 3-char key prefix + 12 chars + a 3-char case-safety checksum (18 chars).
 * Generated ids use only digits and upper-case letters in the 15-char part, so their ordinal order
 * equals their case-insensitive order and their creation order: keyset cursors over `Id` behave the
 * same whichever comparison a client assumes.
 */

export const KEY_PREFIXES: Readonly<Record<string, string>> = {
  Lead: '00Q',
  Contact: '003',
  Account: '001',
  Opportunity: '006',
  OpportunityContactRole: '00K',
  User: '005',
};

export const ORG_ID = '00D000000000001EAA';
/** The integration user the API acts as (also the `id` URL of every token answer). */
export const API_USER_ID = '005000000000001AAA';
/** The person who "edits in the UI" (store.update / store.insert / convertLead). */
export const UI_USER_ID = '005000000000002AAA';

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-char suffix that makes a 15-char case-sensitive id safe for case-insensitive systems. */
export function checksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const ch = id15.charAt(chunk * 5 + i);
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}

export function makeId(prefix: string, counter: number): string {
  const id15 = `${prefix}000${counter.toString(36).toUpperCase().padStart(9, '0')}`;
  return id15 + checksum(id15);
}

const ID_SHAPE = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** 18-char form of a 15- or 18-char id; undefined when the text is not shaped like an id. */
export function normalizeId(text: string): string | undefined {
  if (!ID_SHAPE.test(text)) return undefined;
  const id15 = text.slice(0, 15);
  return id15 + checksum(id15);
}

/** The object a (well-formed) id belongs to, from its key prefix. */
export function objectOfId(id: string): string | undefined {
  const prefix = id.slice(0, 3);
  return Object.keys(KEY_PREFIXES).find((name) => KEY_PREFIXES[name] === prefix);
}
