/**
 * Decides who a record is on the other side: the crosswalk first, then the link id stored in the
 * record, then a unique email match. Two candidates are never guessed between. Pure.
 */

export interface OtherRef {
  object: string;
  id: string;
}

export interface IdentityInput {
  /** Link found in the crosswalk (Redis). */
  crosswalk: OtherRef | undefined;
  /** Link id stored in the record itself (HubSpot_Contact_Id__c, salesforce_lead_id…), if it still exists. */
  storedLink: OtherRef | undefined;
  /** Email of the record, normalised; undefined when it has none. */
  email: string | undefined;
  /** Records on the other side with that email, each with the id it is already linked to (if any). */
  candidates: Array<OtherRef & { linkedTo: string | undefined }>;
  /** The record's own id, to tell "linked to me" from "linked to someone else". */
  selfId: string;
}

export type IdentityDecision =
  | { kind: 'linked'; other: OtherRef; via: 'crosswalk' | 'stored-link' | 'email' }
  | { kind: 'create' }
  | { kind: 'ambiguous'; reason: string; ids: string[] };

export function normalizeEmail(email: unknown): string | undefined {
  if (typeof email !== 'string') return undefined;
  const trimmed = email.trim().toLowerCase();
  return trimmed.includes('@') ? trimmed : undefined;
}

export function resolveIdentity(input: IdentityInput): IdentityDecision {
  if (input.crosswalk) return { kind: 'linked', other: input.crosswalk, via: 'crosswalk' };
  if (input.storedLink) return { kind: 'linked', other: input.storedLink, via: 'stored-link' };
  if (!input.email) return { kind: 'create' };
  const candidates = input.candidates;
  if (candidates.length === 0) return { kind: 'create' };
  if (candidates.length > 1) {
    return {
      kind: 'ambiguous',
      reason: `${candidates.length} records share the email ${input.email}: ${candidates.map(describe).join(', ')}; merge the duplicates, or link one by setting its id field, then retry`,
      ids: candidates.map((c) => c.id),
    };
  }
  const only = candidates[0]!;
  if (only.linkedTo && only.linkedTo !== input.selfId) {
    return {
      kind: 'ambiguous',
      reason: `${describe(only)} has the email ${input.email} but is already linked to ${only.linkedTo}; merge the duplicate records, then retry`,
      ids: [only.id, only.linkedTo],
    };
  }
  return { kind: 'linked', other: { object: only.object, id: only.id }, via: 'email' };
}

function describe(ref: OtherRef): string {
  return `${ref.object} ${ref.id}`;
}
