import { bytesEqual } from './bytes.ts';
import { credentialSigningInput, type TicketTerms, ticketTermsOf } from './credential.ts';
import type { CryptoBackend } from './crypto.ts';
import { isProtocolError, ProtocolError } from './errors.ts';
import type { Keyring, KeyringCandidate, RevocationList } from './keyring.ts';
import { clockSkewToleranceS, presentationMaxAgeS, storedValueMax, timeMaxS } from './limits.ts';
import {
  decodePresentation,
  type Presentation,
  presentationFromText,
  presentationSigningInput,
} from './presentation.ts';

/**
 * Why a ticket was refused, in the order the checks run. Each maps to words a gate person acts on
 * (see docs/protocol.md): call a supervisor, send to the right gate, ask for a fresh barcode.
 */
export const rejectionReasons = [
  'malformed',
  'forged',
  'tampered',
  'wrong_device',
  'stale',
  'wrong_event',
  'revoked',
  'not_yet_valid',
  'expired',
  'already_used',
  'entitlement_exhausted',
  'wrong_code',
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

/** One earlier scan of the same ticket, from this terminal's log, other gates or the server. */
export interface AdmissionRecord {
  direction: 'entry' | 'exit';
  atS: number;
  revision: number;
  /** The presentation's own time, so the same barcode shown twice is recognised. */
  presentationTimeS?: number;
  /** Value debited from a stored-value ticket by this admission. */
  debit?: bigint;
  gate?: string;
  terminalId?: string;
}

export interface AdmissionHistory {
  admissionsFor(eventId: string, ticketId: string): readonly AdmissionRecord[];
}

export interface EntitlementContext {
  /** The events this terminal admits to. */
  eventIds: readonly string[];
  nowS: number;
  revocations?: RevocationList;
  history?: AdmissionHistory;
  /** Amount to debit from a stored-value ticket; 0 when not given. */
  debit?: bigint;
}

/** What the authentication of a barcode needs: the keys to trust and the verifier's clock. */
export interface AuthenticationContext {
  keyring: Keyring;
  nowS: number;
  /**
   * The credential the verifier itself issued for this ticket and keeps on record (the online
   * check of claim 12). A presented credential byte for byte equal to it carries the organizer
   * signature the issuer made, so that signature is not checked again; its key must still be in
   * the keyring and trusted for the event. Any other credential is checked in full.
   */
  issuedCredential?: Uint8Array;
  /** Defaults to `presentationMaxAgeS`. */
  maxAgeS?: number;
  /** Defaults to `clockSkewToleranceS`. */
  futureSkewS?: number;
}

export interface VerificationContext extends EntitlementContext, AuthenticationContext {}

/**
 * A barcode whose format, organizer signature, device signature and age check out: what it
 * presents, and the ticket terms its credential carries (not yet checked against any event,
 * window or history: that is `evaluateEntitlement`'s part).
 */
export interface AuthenticatedPresentation {
  authenticated: true;
  presentation: Presentation;
  terms: TicketTerms;
}

export interface Admission {
  admitted: true;
  reason: 'valid';
  terms: TicketTerms;
  /** True when this entry follows an exit and does not use up the ticket. */
  reentry: boolean;
  /** Uses counted before this one. */
  usesBefore: number;
  /** Uses left after this one; null when unlimited. */
  usesRemaining: number | null;
  /** Stored value left after the debit; null unless a stored-value ticket. */
  valueRemaining: bigint | null;
}

export interface Rejection {
  admitted: false;
  reason: RejectionReason;
  /** A sentence for logs and for the staff screen's details. */
  detail: string;
  /** Present once the organizer signature checks out, so the gate can show the seat it refuses. */
  terms?: TicketTerms;
  /** For `already_used`: the first admission, so the gate can say when and where. */
  firstAdmission?: AdmissionRecord;
}

export type Decision = Admission | Rejection;

function reject(
  reason: RejectionReason,
  detail: string,
  extra: Partial<Rejection> = {},
): Rejection {
  return { admitted: false, reason, detail, ...extra };
}

function checkContextTime(field: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > timeMaxS)) {
    throw new ProtocolError(
      'invalid_argument',
      field,
      `${value} is not an integer in 0..${timeMaxS}`,
    );
  }
}

export function checkEntitlementContext(context: EntitlementContext): void {
  checkContextTime('context.nowS', context.nowS);
  if (!Array.isArray(context.eventIds)) {
    throw new ProtocolError('invalid_argument', 'context.eventIds', 'must be an array');
  }
  // Both are looked up per ticket; a plain array (an easy mistake) would otherwise surface as a
  // bare TypeError in the middle of a decision.
  if (context.history !== undefined && typeof context.history?.admissionsFor !== 'function') {
    throw new ProtocolError(
      'invalid_argument',
      'context.history',
      'must be an object with admissionsFor(eventId, ticketId) answering an array of records',
    );
  }
  if (context.revocations !== undefined && typeof context.revocations?.isRevoked !== 'function') {
    throw new ProtocolError(
      'invalid_argument',
      'context.revocations',
      'must be a revocation list made by prepareRevocations',
    );
  }
  const debit = context.debit;
  if (debit !== undefined && (typeof debit !== 'bigint' || debit < 0n || debit > storedValueMax)) {
    throw new ProtocolError(
      'invalid_argument',
      'context.debit',
      `must be a bigint in 0..${storedValueMax}`,
    );
  }
}

/**
 * The checks that do not depend on how the ticket was presented (barcode or manual code): event,
 * revocation, window, then the admission history against the entitlement.
 */
export function evaluateEntitlement(
  source: TicketTerms,
  context: EntitlementContext,
  presentationTimeS?: number,
): Decision {
  const terms = ticketTermsOf(source);
  const now = context.nowS;
  if (!context.eventIds.includes(terms.eventId)) {
    return reject('wrong_event', `ticket is for event ${terms.eventId}`, { terms });
  }
  if (context.revocations?.isRevoked(terms.eventId, terms.ticketId, terms.revision)) {
    return reject('revoked', `revision ${terms.revision} of ticket ${terms.ticketId} is revoked`, {
      terms,
    });
  }
  if (now < terms.validFromS) {
    return reject(
      'not_yet_valid',
      `valid from ${new Date(terms.validFromS * 1000).toISOString()}`,
      { terms },
    );
  }
  if (now >= terms.validUntilS) {
    return reject('expired', `valid until ${new Date(terms.validUntilS * 1000).toISOString()}`, {
      terms,
    });
  }

  // Replay the ticket's history in time order. A re-entry (an entry after an exit, where the
  // ticket allows it) does not use the ticket up; every other entry counts as one use.
  const records = [...historyOf(context, terms)].sort((a, b) => a.atS - b.atS);
  let uses = 0;
  let inside = false;
  let debited = 0n;
  let firstAdmission: AdmissionRecord | undefined;
  for (const record of records) {
    if (record.direction === 'exit') {
      inside = false;
      continue;
    }
    if (
      presentationTimeS !== undefined &&
      record.presentationTimeS === presentationTimeS &&
      record.revision === terms.revision
    ) {
      // The very same barcode was already admitted: a screenshot passed on inside its lifetime.
      return reject('already_used', 'this exact barcode was already scanned', {
        terms,
        firstAdmission: firstAdmission ?? record,
      });
    }
    const isReentry = terms.reentryAllowed && uses > 0 && !inside;
    if (!isReentry) uses += 1;
    inside = true;
    debited += record.debit ?? 0n;
    firstAdmission ??= record;
  }

  const usesLimit = terms.entriesAllowed === 0 ? null : terms.entriesAllowed;
  if (terms.reentryAllowed && uses > 0) {
    if (inside) {
      return reject('already_used', 'the holder is inside and has not scanned out', {
        terms,
        ...(firstAdmission ? { firstAdmission } : {}),
      });
    }
    return admit(terms, true, uses, usesLimit, null);
  }
  if (usesLimit !== null && uses >= usesLimit) {
    const withFirst = firstAdmission ? { firstAdmission } : {};
    return terms.kind === 'single'
      ? reject('already_used', 'the ticket was already used', { terms, ...withFirst })
      : reject('entitlement_exhausted', `all ${usesLimit} uses are spent`, { terms, ...withFirst });
  }
  if (terms.kind === 'stored_value') {
    const remaining = terms.storedValue - debited;
    const debit = context.debit ?? 0n;
    if (remaining <= 0n || debit > remaining) {
      return reject(
        'entitlement_exhausted',
        `stored value left is ${remaining < 0n ? 0n : remaining}`,
        { terms },
      );
    }
    return admit(terms, false, uses, usesLimit, remaining - debit);
  }
  return admit(terms, false, uses, usesLimit, null);
}

/** The ticket's earlier scans from the context's history, which must answer an array. */
function historyOf(context: EntitlementContext, terms: TicketTerms): readonly AdmissionRecord[] {
  const records = context.history?.admissionsFor(terms.eventId, terms.ticketId) ?? [];
  if (!Array.isArray(records)) {
    throw new ProtocolError(
      'invalid_argument',
      'context.history',
      'admissionsFor must answer an array of admission records',
    );
  }
  return records;
}

function admit(
  terms: TicketTerms,
  reentry: boolean,
  usesBefore: number,
  usesLimit: number | null,
  valueRemaining: bigint | null,
): Admission {
  const usesAfter = reentry ? usesBefore : usesBefore + 1;
  return {
    admitted: true,
    reason: 'valid',
    terms,
    reentry,
    usesBefore,
    // Two offline gates may each have counted an entry before they synced; never report below 0.
    usesRemaining: usesLimit === null ? null : Math.max(0, usesLimit - usesAfter),
    valueRemaining,
  };
}

function checkAuthenticationContext(context: AuthenticationContext): void {
  checkContextTime('context.nowS', context.nowS);
  checkContextTime('context.maxAgeS', context.maxAgeS);
  checkContextTime('context.futureSkewS', context.futureSkewS);
}

/** The barcode's bytes or QR text decoded; malformed input is a decision, not an exception. */
function decodeInput(input: string | Uint8Array): Presentation | Rejection {
  try {
    return decodePresentation(typeof input === 'string' ? presentationFromText(input) : input);
  } catch (error) {
    if (isProtocolError(error)) return reject('malformed', error.message);
    throw error;
  }
}

/**
 * The first half of verification (claim 11's steps 1 to 4, docs/protocol.md section 6): the
 * format, the organizer signature, the device signature and the barcode's age. Takes the QR text,
 * the bytes or a presentation already decoded (which is not decoded again). Answers the
 * authenticated presentation and its terms, or the rejection; what the terms entitle the holder
 * to is `evaluateEntitlement`'s to decide.
 */
export async function authenticatePresentation(
  backend: CryptoBackend,
  input: string | Uint8Array | Presentation,
  context: AuthenticationContext,
): Promise<AuthenticatedPresentation | Rejection> {
  checkAuthenticationContext(context);
  const presentation =
    typeof input === 'string' || ArrayBuffer.isView(input) ? decodeInput(input) : input;
  if ('reason' in presentation) return presentation;
  const { credential } = presentation;

  const candidates = context.keyring.candidates(credential.keyId);
  if (candidates.length === 0) {
    return reject('forged', 'signed by a key this terminal does not trust');
  }
  const trusted = (candidate: KeyringCandidate) =>
    candidate.eventIds === null || candidate.eventIds.has(credential.eventId);
  if (
    context.issuedCredential !== undefined &&
    bytesEqual(presentation.credentialBytes, context.issuedCredential)
  ) {
    if (!candidates.some(trusted)) {
      return reject(
        'forged',
        `signed by a key that is not trusted for event ${credential.eventId}`,
      );
    }
  } else {
    const body = presentation.credentialBytes.subarray(0, presentation.credentialBodyLength);
    const signingInput = credentialSigningInput(body);
    let signer: KeyringCandidate | undefined;
    for (const candidate of candidates) {
      if (await backend.verify(candidate.key, signingInput, credential.signature)) {
        signer = candidate;
        break;
      }
    }
    if (signer === undefined) {
      return reject('tampered', 'the organizer signature does not match the ticket fields');
    }
    if (!trusted(signer)) {
      return reject(
        'forged',
        `signed by a key that is not trusted for event ${credential.eventId}`,
      );
    }
  }

  const digest = await backend.sha256(presentation.credentialBytes);
  const deviceKey = await backend.importVerifyKey(credential.devicePublicKey);
  const deviceSigned = await backend.verify(
    deviceKey,
    presentationSigningInput(digest, presentation.timeS),
    presentation.deviceSignature,
  );
  if (!deviceSigned) {
    return reject('wrong_device', 'the barcode was not made by the phone the ticket is bound to', {
      terms: ticketTermsOf(credential),
    });
  }

  const age = context.nowS - presentation.timeS;
  if (
    age > (context.maxAgeS ?? presentationMaxAgeS) ||
    -age > (context.futureSkewS ?? clockSkewToleranceS)
  ) {
    return reject('stale', `the barcode is ${age} s old; ask for the live barcode`, {
      terms: ticketTermsOf(credential),
    });
  }
  return { authenticated: true, presentation, terms: ticketTermsOf(credential) };
}

/**
 * Offline verification (claim 11), step by step as docs/protocol.md section 6 lists: the
 * authentication of the barcode, then the entitlement its terms give against the context.
 * Malformed input is a `malformed` decision here, not an exception, because a gate must answer
 * every scan; a bad context (the caller's own bug) still throws.
 */
export async function verifyPresentation(
  backend: CryptoBackend,
  input: string | Uint8Array,
  context: VerificationContext,
): Promise<Decision> {
  checkEntitlementContext(context);
  checkAuthenticationContext(context);
  const presentation = decodeInput(input);
  if ('reason' in presentation) return presentation;
  const authenticated = await authenticatePresentation(backend, presentation, context);
  if ('reason' in authenticated) return authenticated;
  return evaluateEntitlement(authenticated.terms, context, presentation.timeS);
}
