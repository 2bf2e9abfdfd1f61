/**
 * The ticketing server's HTTP API (unit 106): Fastify with TypeBox schemas on every route, the
 * OpenAPI document generated from them at /docs, one error shape, and access control: every
 * route declares who may call it; organizer routes check the caller's staff role in the handler.
 */
import { probeStorage } from '@tessera/db';
import { forbidden } from '@tessera/service-kit/errors';
import { configureServiceApp } from '@tessera/service-kit/http';
import type { RateLimitsDb } from '@tessera/service-kit/rate-limit';
import { feedTicketIn, terminalOfFeedTicket } from './admission/feed-ticket.ts';
import type { Ticketing } from './context.ts';
import { databaseAnswers } from './db/health.ts';
import { type Access, createFastify, type LogOptions, type RoutePlugin } from './http.ts';
import { authenticate, requireUser } from './identity/service.ts';
import { registerTicketingMetrics } from './metrics.ts';
import { noteTerminalCall, terminalDetailHeaders } from './terminals/details.ts';

export async function buildApp(
  ticketing: Ticketing,
  register: readonly RoutePlugin[],
  logOptions: LogOptions = {},
) {
  const app = createFastify(ticketing, logOptions);
  const { metrics } = await configureServiceApp(app, {
    title: 'Tessera ticketing API',
    description:
      'Organizers, venues and seat maps, events, availability, holds and orders paid in crypto at the exchange, signed device-bound tickets, transfers and refunds. Amounts are decimal strings in whole units of their asset.',
    publicUrl: ticketing.config.publicUrl,
    checkAnswers: ticketing.config.environment === 'test',
    corsOrigins: ticketing.config.corsOrigins,
    // The gate app says what it is and where it was on every call (terminals/details.ts).
    corsHeaders: ['idempotency-key', ...terminalDetailHeaders],
    async authorize(request, access) {
      // A browser's EventSource cannot send Authorization: the terminal feed takes a ticket too.
      const feedTicket = feedTicketIn(request);
      const principal =
        feedTicket !== undefined
          ? await terminalOfFeedTicket(ticketing, feedTicket)
          : await authenticate(ticketing, request.headers.authorization);
      request.caller = principal;
      if (principal.type === 'terminal') {
        // What the terminal says of itself is stored, never a reason to fail its call.
        await noteTerminalCall(ticketing, principal, request.headers).catch((error: unknown) =>
          request.log.warn({ err: error }, 'could not store the terminal details'),
        );
      }
      if (access === 'operator' && principal.type !== 'operator') {
        throw forbidden('this route is for the platform operator');
      }
      if (access === 'user') requireUser(principal);
      if (access === 'terminal' && principal.type !== 'terminal') {
        throw forbidden('this route is for enrolled gate terminals');
      }
      // A terminal's credential opens the gate routes only, whatever a handler would check.
      if (access === 'any' && principal.type === 'terminal') {
        throw forbidden('this route is for signed-in users and the operator');
      }
    },
    ready: () => databaseAnswers(ticketing.database.health),
    // An open circuit to the exchange is reported, not made a 503: every instance shares the
    // exchange, so a load balancer would take them all out, and the gates, tickets and catalogue
    // that do not need the exchange would go down with the payments (docs/operations.md).
    readyDetails() {
      const exchange = ticketing.exchange.availability();
      return exchange.state === 'closed'
        ? { exchange: 'available' }
        : { exchange: 'unavailable', exchangeRetryAfterS: exchange.retryAfterS };
    },
    storageWritable: () => probeStorage(ticketing.database),
    metricsAccess: 'operator' satisfies Access,
    rateLimit: {
      db: ticketing.database.db as unknown as RateLimitsDb,
      clock: ticketing.clock,
      redisUrl: ticketing.config.redisUrl,
      redisPrefix: ticketing.config.redisPrefix,
    },
  });
  registerTicketingMetrics(metrics, ticketing);
  for (const plugin of register) await plugin(app, ticketing);
  return app;
}
