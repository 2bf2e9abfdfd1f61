/**
 * Limits on guessing manual codes (seed 001's ticket number and six-digit PIN): a terminal that
 * types too many wrong codes, or a ticket number that gets too many wrong PINs, is refused for a
 * while (429, with Retry-After: when the oldest counted failure leaves its window), counted
 * from the audit log.
 */

import { ApiError } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import type { TerminalPrincipal } from '../identity/service.ts';
import { logDecision } from './record.ts';
import { wrongManualCodeTimes } from './repository.ts';

/** Wrong manual codes a terminal may type in `terminalWindowMs`. */
const manualFailuresPerTerminal = 10;
const terminalWindowMs = 10 * 60_000;
/** Wrong PINs a ticket number may get in `ticketWindowMs`. */
const manualFailuresPerTicket = 5;
const ticketWindowMs = 60 * 60_000;

/** Throws 429 (and logs it) when the terminal or the ticket number has had too many wrong codes. */
export async function limitManualCodes(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  number: string,
  scannedAt: number,
) {
  const db = ticketing.database.db;
  const now = ticketing.clock.now();
  const [byTerminal, byTicket] = await Promise.all([
    wrongManualCodeTimes(
      db,
      'terminal_id',
      terminal.id,
      now - terminalWindowMs,
      manualFailuresPerTerminal,
    ),
    wrongManualCodeTimes(
      db,
      'ticket_number',
      number,
      now - ticketWindowMs,
      manualFailuresPerTicket,
    ),
  ]);
  // The refusal lasts until the oldest of the counted failures leaves its window.
  const [refusal, until] =
    byTerminal.length >= manualFailuresPerTerminal
      ? [
          'too many wrong manual codes from this terminal; wait ten minutes or scan the barcode',
          (byTerminal.at(-1) ?? now) + terminalWindowMs,
        ]
      : byTicket.length >= manualFailuresPerTicket
        ? [
            'too many wrong PINs for this ticket number; ask for the barcode',
            (byTicket.at(-1) ?? now) + ticketWindowMs,
          ]
        : [null, now];
  if (refusal === null) return;
  // Kept in the audit log too (its reason is not counted above, so refusals do not compound).
  await logDecision(ticketing, db, {
    terminal_id: terminal.id,
    performance_id: null,
    ticket_number: number,
    input: 'manual',
    admitted: 0,
    reason: 'too_many_wrong_codes',
    detail: refusal,
    admission_id: null,
    scanned_at: scannedAt,
    recorded_at: now,
  });
  throw new ApiError(429, 'too_many_wrong_codes', refusal, {
    retryAfterS: Math.max(1, Math.ceil((until - now) / 1000)),
  });
}
