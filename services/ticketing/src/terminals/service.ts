import { createHash } from 'node:crypto';
import { ApiError, badRequest, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import { inTransaction } from '../context.ts';
import { terminalTokenPrefix } from '../identity/service.ts';
import { newId, newSecret } from '../ids.ts';

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// ---------------------------------------------------------------------------------------------
// Enrolment (units 112 and 416)

/** Enrolment codes: 15 characters of Crockford base32 (75 bits), typed in groups of five. */
export const codeAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const enrolmentTtlMs = 24 * 3600 * 1000;

export function newEnrolmentCode() {
  const bytes = createHash('sha256').update(newSecret('e')).digest();
  let code = '';
  for (let i = 0; i < 15; i++) code += codeAlphabet[(bytes[i] as number) % 32];
  return `${code.slice(0, 5)}-${code.slice(5, 10)}-${code.slice(10)}`;
}

/** Case, spaces and dashes do not matter when the code is typed. */
export function normalizeEnrolmentCode(input: string) {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
}

export async function createEnrolment(
  ticketing: Ticketing,
  organizerId: string,
  createdBy: string,
  input: { venueId: string; gate: string; performanceIds: readonly string[] },
) {
  const db = ticketing.database.db;
  const venue = await db
    .selectFrom('venues')
    .select('id')
    .where('id', '=', input.venueId)
    .where('organizer_id', '=', organizerId)
    .executeTakeFirst();
  if (!venue) throw notFound('venue');
  const performanceIds = [...new Set(input.performanceIds)];
  const found = await db
    .selectFrom('performances as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .select('p.id')
    .where('p.id', 'in', performanceIds)
    .where('e.organizer_id', '=', organizerId)
    .where('e.venue_id', '=', input.venueId)
    .execute();
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
    performance_ids: JSON.stringify(performanceIds),
    code_hash: sha256(normalizeEnrolmentCode(code)),
    created_by: createdBy,
    created_at: now,
    expires_at: now + enrolmentTtlMs,
    used_at: null,
    terminal_id: null,
  };
  await db.insertInto('terminal_enrolments').values(row).execute();
  return { id: row.id, code, expiresAt: row.expires_at, performanceIds, gate: input.gate };
}

/** Trades an enrolment code, once, for a terminal credential. */
export async function enrolTerminal(ticketing: Ticketing, code: string, name: string) {
  const token = newSecret(terminalTokenPrefix.slice(0, -1));
  const terminalId = newId('trm');
  const codeHash = sha256(normalizeEnrolmentCode(code));
  return inTransaction(ticketing, async ({ trx, now }) => {
    const used = await trx
      .updateTable('terminal_enrolments')
      .set({ used_at: now, terminal_id: terminalId })
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    if (!used) {
      throw new ApiError(404, 'invalid_code', 'this enrolment code is unknown, used or expired');
    }
    const terminal = {
      id: terminalId,
      organizer_id: used.organizer_id,
      venue_id: used.venue_id,
      gate: used.gate,
      name,
      performance_ids: used.performance_ids,
      token_hash: sha256(token),
      enrolled_at: now,
      revoked_at: null,
      last_seen_at: now,
      pending_uploads: 0,
    };
    await trx.insertInto('terminals').values(terminal).execute();
    return { token, terminal };
  });
}

export function terminalView(row: {
  id: string;
  organizer_id: string;
  venue_id: string;
  gate: string;
  name: string;
  performance_ids: string;
  enrolled_at: number;
  revoked_at: number | null;
  last_seen_at: number | null;
  pending_uploads: number;
}) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: row.id,
    organizerId: row.organizer_id,
    venueId: row.venue_id,
    gate: row.gate,
    name: row.name,
    performanceIds: JSON.parse(row.performance_ids) as string[],
    enrolledAt: iso(row.enrolled_at) as string,
    revokedAt: iso(row.revoked_at),
    lastSeenAt: iso(row.last_seen_at),
    pendingUploads: row.pending_uploads,
  };
}
