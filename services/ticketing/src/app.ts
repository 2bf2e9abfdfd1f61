/**
 * The ticketing server's HTTP API (unit 106): Fastify with TypeBox schemas on every route, the
 * OpenAPI document generated from them at /docs, one error shape, and access control: every
 * route declares who may call it; organizer routes check the caller's staff role in the handler.
 */
import { writeTransaction } from '@tessera/db';
import { forbidden } from '@tessera/service-kit/errors';
import {
  configureServiceApp,
  createFastify as createServiceFastify,
} from '@tessera/service-kit/http';
import type { FastifyRequest } from 'fastify';
import { authenticate, type Principal, requireUser, type TerminalPrincipal } from './auth.ts';
import type { Ticketing, Trx } from './context.ts';
import { registerTicketingMetrics } from './metrics.ts';

/**
 * Who may call a route: `public` (no token; the exchange webhook checks its own signature),
 * `user` (any signed-in user; organizer routes then check the staff role), `operator`,
 * `terminal` (an enrolled gate terminal that has not been revoked).
 */
export type Access = 'public' | 'user' | 'operator' | 'terminal' | 'any';

declare module 'fastify' {
  interface FastifyRequest {
    /** The ticketing caller (the exchange augments `principal`; both compile together). */
    caller?: Principal;
  }
}

export function createFastify(ticketing: Ticketing) {
  // Seat maps of 50,000 seats arrive as one JSON or CSV body.
  return createServiceFastify({ logLevel: ticketing.config.logLevel, bodyLimit: 8 * 1024 * 1024 });
}

export type App = ReturnType<typeof createFastify>;
export type RoutePlugin = (app: App, ticketing: Ticketing) => void | Promise<void>;

export async function buildApp(ticketing: Ticketing, register: readonly RoutePlugin[]) {
  const app = createFastify(ticketing);
  const { metrics } = await configureServiceApp(app, {
    title: 'Tessera ticketing API',
    description:
      'Organizers, venues and seat maps, events, availability, holds and orders paid in crypto at the exchange, signed device-bound tickets, transfers and refunds. Amounts are decimal strings in whole units of their asset.',
    corsOrigins: ticketing.config.corsOrigins,
    corsHeaders: ['idempotency-key'],
    async authorize(request, access) {
      const principal = await authenticate(ticketing, request.headers.authorization);
      request.caller = principal;
      if (access === 'operator' && principal.type !== 'operator') {
        throw forbidden('this route is for the platform operator');
      }
      if (access === 'user') requireUser(principal);
      if (access === 'terminal' && principal.type !== 'terminal') {
        throw forbidden('this route is for enrolled gate terminals');
      }
    },
    async ready() {
      await ticketing.database.db.selectFrom('organizers').select('id').limit(1).execute();
    },
    metricsAccess: 'operator' satisfies Access,
  });
  registerTicketingMetrics(metrics, ticketing);
  for (const plugin of register) await plugin(app, ticketing);
  return app;
}

export interface Work {
  readonly trx: Trx;
  readonly now: number;
}

/** One write transaction with the clock read once, as every effect sees it. */
export function inTransaction<T>(ticketing: Ticketing, fn: (work: Work) => Promise<T>): Promise<T> {
  return writeTransaction(ticketing.database, (trx) => fn({ trx, now: ticketing.clock.now() }));
}

export function userOf(request: FastifyRequest) {
  return requireUser(request.caller);
}

export function terminalOf(request: FastifyRequest): TerminalPrincipal {
  const caller = request.caller;
  if (caller?.type !== 'terminal') throw forbidden('this route is for enrolled gate terminals');
  return caller;
}
