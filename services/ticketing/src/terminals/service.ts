/**
 * Gate terminals (units 112 and 416): the one-time codes staff make to enrol a terminal for a
 * gate and some performances, enrolment itself (a code traded once for a credential), and the
 * register staff manage: rename and revoke, each refused or re-read by every instance at once.
 */
import { createHash } from 'node:crypto';
import { ApiError, badRequest, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import { inTransaction } from '../context.ts';
import { forgetTerminal, terminalTokenPrefix } from '../identity/service.ts';
import { newId, newSecret } from '../ids.ts';
import {
  insertEnrolment,
  insertTerminal,
  markTerminalRevoked,
  performancesOfOrganizerAtVenue,
  type TerminalDetails,
  type TerminalRecord,
  terminalOfOrganizer,
  terminalsOfOrganizer,
  updateTerminalName,
  useEnrolmentCode,
  venueOfOrganizerExists,
} from './repository.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// ---------------------------------------------------------------------------------------------
// Enrolment (units 112 and 416)

/** Enrolment codes: 15 characters of Crockford base32 (75 bits), typed in groups of five. */
const codeAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const enrolmentTtlMs = 24 * 3600 * 1000;

function newEnrolmentCode() {
  const bytes = createHash('sha256').update(newSecret('e')).digest();
  let code = '';
  for (let i = 0; i < 15; i++) code += codeAlphabet[(bytes[i] as number) % 32];
  return `${code.slice(0, 5)}-${code.slice(5, 10)}-${code.slice(10)}`;
}

/** Case, spaces and dashes do not matter when the code is typed. */
function normalizeEnrolmentCode(input: string) {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

export async function createEnrolment(
  ticketing: Ticketing,
  organizerId: string,
  createdBy: string,
  input: { venueId: string; gate: string; performanceIds: readonly string[] },
) {
  const db = ticketing.database.db;
  if (!(await venueOfOrganizerExists(db, organizerId, input.venueId))) throw notFound('venue');
  const performanceIds = [...new Set(input.performanceIds)];
  const found = await performancesOfOrganizerAtVenue(
    db,
    organizerId,
    input.venueId,
    performanceIds,
  );
  if (found.length !== performanceIds.length) {
    throw badRequest(
      'invalid_performances',
      "every performance must be one of this organizer's at this venue",
    );
  }
  const code = newEnrolmentCode();
  const now = ticketing.clock.now();
  const row = {
    id: newId('enr'),
    organizer_id: organizerId,
    venue_id: input.venueId,
    gate: input.gate,
    performance_ids: performanceIds,
    code_hash: sha256(normalizeEnrolmentCode(code)),
    created_by: createdBy,
    created_at: now,
    expires_at: now + enrolmentTtlMs,
    used_at: null,
    terminal_id: null,
  };
  await insertEnrolment(db, row);
  return { id: row.id, code, expiresAt: row.expires_at, performanceIds, gate: input.gate };
}

/** Trades an enrolment code, once, for a terminal credential. */
export async function enrolTerminal(
  ticketing: Ticketing,
  code: string,
  name: string,
  details: TerminalDetails,
): Promise<{ token: string; terminal: TerminalRecord }> {
  const token = newSecret(terminalTokenPrefix.slice(0, -1));
  const terminalId = newId('trm');
  const codeHash = sha256(normalizeEnrolmentCode(code));
  return inTransaction(ticketing, async ({ trx, now }) => {
    const used = await useEnrolmentCode(trx, codeHash, terminalId, now);
    if (!used) {
      throw new ApiError(404, 'invalid_code', 'this enrolment code is unknown, used or expired');
    }
    const terminal: TerminalRecord = {
      id: terminalId,
      organizerId: used.organizerId,
      venueId: used.venueId,
      gate: used.gate,
      name,
      performanceIds: used.performanceIds,
      tokenHash: sha256(token),
      enrolledAt: now,
      revokedAt: null,
      lastSeenAt: now,
      pendingUploads: 0,
      device: details.device,
      appVersion: details.appVersion,
      lastFix: details.fix,
    };
    await insertTerminal(trx, terminal);
    return { token, terminal };
  });
}

// ---------------------------------------------------------------------------------------------
// The register

/** The organizer's terminals, revoked ones included. */
export function terminalsOf(ticketing: Ticketing, organizerId: string): Promise<TerminalRecord[]> {
  return terminalsOfOrganizer(ticketing.database.db, organizerId);
}

async function requireTerminal(ticketing: Ticketing, organizerId: string, terminalId: string) {
  const terminal = await terminalOfOrganizer(ticketing.database.db, organizerId, terminalId);
  if (!terminal) throw notFound('terminal');
  return terminal;
}

/** Renames one of the organizer's terminals; every instance reads it again before this resolves. */
export async function renameTerminal(
  ticketing: Ticketing,
  organizerId: string,
  terminalId: string,
  name: string,
): Promise<TerminalRecord> {
  const terminal = await requireTerminal(ticketing, organizerId, terminalId);
  await updateTerminalName(ticketing.database.db, terminalId, name);
  await forgetTerminal(ticketing, terminal.tokenHash);
  return requireTerminal(ticketing, organizerId, terminalId);
}

/**
 * Revokes one of the organizer's terminals: refused by every instance once this resolves, and
 * its open live feeds end at once. The feeds' signal is queued before the cache invalidation,
 * whose confirmed send carries it in the same notification: once the answer goes, every instance
 * has heard both, so none can stream one more admission to the revoked terminal.
 */
export async function revokeTerminal(
  ticketing: Ticketing,
  organizerId: string,
  terminalId: string,
): Promise<TerminalRecord> {
  const terminal = await requireTerminal(ticketing, organizerId, terminalId);
  await markTerminalRevoked(ticketing.database.db, terminalId, ticketing.clock.now());
  ticketing.gates.revoked(terminalId);
  await forgetTerminal(ticketing, terminal.tokenHash);
  return requireTerminal(ticketing, organizerId, terminalId);
}
