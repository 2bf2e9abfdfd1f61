/**
 * What every routes file uses: the Fastify instance type routes register on, who may call a
 * route, and the caller a route's handler acts for. app.ts builds the app from these.
 */
import { forbidden } from '@tessera/service-kit/errors';
import { createFastify as createServiceFastify } from '@tessera/service-kit/http';
import type { FastifyRequest } from 'fastify';
import type { Ticketing } from './context.ts';
import { type Principal, requireUser, type TerminalPrincipal } from './identity/service.ts';

/**
 * Who may call a route: `public` (no token; the exchange webhook checks its own signature),
 * `user` (any signed-in user; organizer routes then check the staff role), `operator`,
 * `terminal` (an enrolled gate terminal that has not been revoked), `any` (a signed-in user or
 * the operator, never a terminal: organizer routes the operator may also use, which then check
 * the user's staff role). test/authorization-matrix.test.ts checks every route against these.
 */
export type Access = 'public' | 'user' | 'operator' | 'terminal' | 'any';

declare module 'fastify' {
  interface FastifyRequest {
    /** The ticketing caller (the exchange augments `principal`; both compile together). */
    caller?: Principal;
  }
}

/**
 * Where a server writes its JSON log lines: standard output unless the caller gives a stream
 * (`npm start` writes them to a file under data/ and keeps its console for the banner).
 */
export interface LogOptions {
  readonly logStream?: { write(line: string): void };
}

export function createFastify(ticketing: Ticketing, options: LogOptions = {}) {
  // Seat maps of 50,000 seats arrive as one JSON or CSV body.
  return createServiceFastify({
    logLevel: ticketing.config.logLevel,
    ...(options.logStream ? { logStream: options.logStream } : {}),
    bodyLimit: 8 * 1024 * 1024,
    trustedProxies: ticketing.config.trustedProxies,
  });
}

export type App = ReturnType<typeof createFastify>;
export type RoutePlugin = (app: App, ticketing: Ticketing) => void | Promise<void>;

export function userOf(request: FastifyRequest) {
  return requireUser(request.caller);
}

export function terminalOf(request: FastifyRequest): TerminalPrincipal {
  const caller = request.caller;
  if (caller?.type !== 'terminal') throw forbidden('this route is for enrolled gate terminals');
  return caller;
}
