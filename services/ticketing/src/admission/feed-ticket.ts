/**
 * Feed tickets: a browser's EventSource cannot send the terminal's Authorization header, so a
 * terminal trades its token for a short-lived ticket to put in the feed's URL, as the exchange's
 * notification stream does (docs/feeds.md). The ticket is stateless: terminal, expiry and an HMAC
 * under the server key with its own label, so no other MAC of that key can pass as one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError } from '@tessera/service-kit/errors';
import type { FastifyRequest } from 'fastify';
import type { Ticketing } from '../context.ts';
import { activeTerminalById } from '../identity/repository.ts';
import type { TerminalPrincipal } from '../identity/service.ts';

/** A feed ticket lives this long: long enough to open an EventSource, too short to leak. */
export const feedTicketTtlMs = 60_000;

const ticketMac = (secretKey: Buffer, terminalId: string, expiresAt: number) =>
  createHmac('sha256', secretKey)
    .update(`terminal-feed-ticket\n${terminalId}\n${expiresAt}`)
    .digest('base64url');

/** A ticket for the terminal's live feed, and the feed's URL with it. */
export function issueFeedTicket(ticketing: Ticketing, terminalId: string) {
  const { config } = ticketing;
  const expiresAt = ticketing.clock.now() + feedTicketTtlMs;
  const ticket = `${terminalId}.${expiresAt}.${ticketMac(config.secretKey, terminalId, expiresAt)}`;
  return {
    ticket,
    expiresAt: new Date(expiresAt).toISOString(),
    url: `${config.publicUrl}/v1/terminal/feed?ticket=${encodeURIComponent(ticket)}`,
  };
}

/**
 * The terminal a feed ticket stands for: 401 when the ticket is malformed, tampered with or
 * expired, or the terminal was revoked since. Checked when the feed opens only.
 */
export async function terminalOfFeedTicket(
  ticketing: Ticketing,
  ticket: string,
): Promise<TerminalPrincipal> {
  const refused = new ApiError(401, 'invalid_ticket', 'the feed ticket is invalid or has expired');
  const match = /^(trm_[0-9a-z]{8,40})\.([0-9]{1,15})\.([A-Za-z0-9_-]{43})$/.exec(ticket);
  if (!match) throw refused;
  const [, terminalId, expires, given] = match as unknown as [string, string, string, string];
  const expected = Buffer.from(
    ticketMac(ticketing.config.secretKey, terminalId, Number(expires)),
    'base64url',
  );
  if (!timingSafeEqual(expected, Buffer.from(given, 'base64url'))) throw refused;
  if (Number(expires) <= ticketing.clock.now()) throw refused;
  const { database } = ticketing;
  const terminal = await activeTerminalById(database.db, database.dialect, terminalId);
  if (!terminal) throw refused;
  return terminal;
}

/**
 * The feed ticket a request to the terminal feed carries in its URL instead of an Authorization
 * header (a header, when sent, is what counts).
 */
export function feedTicketIn(request: FastifyRequest): string | undefined {
  if (request.routeOptions.url !== '/v1/terminal/feed') return undefined;
  if (request.headers.authorization !== undefined) return undefined;
  const { ticket } = request.query as { ticket?: unknown };
  return typeof ticket === 'string' ? ticket : undefined;
}
