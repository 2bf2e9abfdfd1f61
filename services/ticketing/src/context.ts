/**
 * Patent unit 100's parts wired together (102, control): configuration, the ticket database
 * (108), the clock (104), the SMS port, the exchange (114's counterpart) and the protocol that
 * signs credentials (110). Routes and workers receive this; tests build it with their own clock
 * and database.
 */
import { type Database, writeTransaction } from '@tessera/db';
import { protocol } from '@tessera/protocol/node';
import { Caches } from '@tessera/service-kit/cache';
import type { Clock } from '@tessera/service-kit/clock';
import type { SmsSender } from '@tessera/service-kit/sms';
import type { Kysely } from 'kysely';
import type { TicketingConfig } from './config.ts';
import type { TicketingDB } from './db/schema.ts';
import type { ExchangeClient } from './exchange-client.ts';

export interface Ticketing {
  readonly config: TicketingConfig;
  readonly database: Database<TicketingDB>;
  readonly clock: Clock;
  readonly sms: SmsSender;
  readonly exchange: ExchangeClient;
  readonly protocol: typeof protocol;
  readonly orders: OrderWatch;
  /**
   * Admissions as they are recorded, for the terminals' live feed; other instances hear of them
   * through the instance bus (instance-bus.ts) when the database is PostgreSQL.
   */
  readonly gates: GateFeed;
  /**
   * Every cache of this instance (keyrings, signers, sessions, terminals, wallets...), timed by
   * `clock` and invalidated on the other instances through the instance bus.
   */
  readonly caches: Caches;
}

/** What one instance tells the others (instance-bus.ts). */
export type InstanceSignal =
  | { readonly kind: 'admission'; readonly admission: GateAdmission }
  | { readonly kind: 'revoked'; readonly terminalId: string }
  | { readonly kind: 'order'; readonly orderId: string }
  | { readonly kind: 'refusal'; readonly refusal: GateRefusal };

/** Where this process's signals go to reach the other instances (none with one instance). */
export interface SignalRelay {
  send(signal: InstanceSignal): void;
}

export interface GateAdmission {
  readonly seq: number;
  readonly performanceId: string;
  readonly performanceCode: string;
  /** The credential's ticket ID (the protocol's name). */
  readonly ticketId: string;
  readonly revision: number;
  readonly direction: 'entry' | 'exit';
  readonly debit: string;
  /** Epoch milliseconds here; the feed sends it as an ISO 8601 string (admission/feed.ts). */
  readonly scannedAt: number;
  readonly presentationTimeS: number | null;
  readonly gate: string;
  readonly terminalId: string;
  readonly duplicate: boolean;
  /*
   * What the organizer's check-in dashboard shows besides (checkin/live.ts). Optional: the
   * terminals' replay does not read them, and their feed does not send them (admission/feed.ts).
   */
  readonly admissionId?: string;
  readonly source?: 'online' | 'offline';
  /** Epoch milliseconds, when the server recorded it. */
  readonly recordedAt?: number;
  readonly outsideVenue?: boolean;
  readonly latitude?: number | null;
  readonly longitude?: number | null;
  readonly accuracyM?: number | null;
}

/** A gate decision that refused, for the organizer's check-in dashboard (checkin/live.ts). */
export interface GateRefusal {
  readonly performanceId: string;
  readonly gate: string;
  readonly terminalId: string;
  readonly reason: string;
  readonly input: string;
  readonly ticketNumber: string | null;
  /** Epoch milliseconds, when the server recorded it. */
  readonly at: number;
}

/**
 * Fans admissions out to the live feeds of this process's terminals and check-in dashboards, and
 * to other instances; refusals to the dashboards.
 */
export class GateFeed {
  private readonly listeners = new Set<(admission: GateAdmission) => void>();
  private readonly revocations = new Set<(terminalId: string) => void>();
  private readonly refusals = new Set<(refusal: GateRefusal) => void>();
  relay: SignalRelay | undefined;

  subscribe(listener: (admission: GateAdmission) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(admission: GateAdmission) {
    this.deliver(admission);
    this.relay?.send({ kind: 'admission', admission });
  }

  /** An admission recorded here or, through the bus, by another instance. */
  deliver(admission: GateAdmission) {
    for (const listener of this.listeners) listener(admission);
  }

  /** Told when a terminal is revoked, so its open feed ends at once in this process. */
  onRevoked(listener: (terminalId: string) => void): () => void {
    this.revocations.add(listener);
    return () => this.revocations.delete(listener);
  }

  revoked(terminalId: string) {
    this.revokedHere(terminalId);
    this.relay?.send({ kind: 'revoked', terminalId });
  }

  revokedHere(terminalId: string) {
    for (const listener of this.revocations) listener(terminalId);
  }

  /** Told of every refused gate decision (the check-in dashboards), here and on other instances. */
  onRefusal(listener: (refusal: GateRefusal) => void): () => void {
    this.refusals.add(listener);
    return () => this.refusals.delete(listener);
  }

  refused(refusal: GateRefusal) {
    this.refusedHere(refusal);
    // Only a dashboard listens: an instance without one does not need telling.
    this.relay?.send({ kind: 'refusal', refusal });
  }

  refusedHere(refusal: GateRefusal) {
    for (const listener of this.refusals) listener(refusal);
  }
}

/**
 * Wakes requests waiting for an order to change (`GET /v1/orders/:id?waitS=`) in this process.
 * On PostgreSQL another instance's change arrives through the instance bus; the waiter's own
 * periodic re-read covers a bus that is down.
 */
export class OrderWatch {
  private waiters = new Map<string, Set<() => void>>();
  relay: SignalRelay | undefined;

  wait(orderId: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiters.get(orderId) ?? new Set();
      this.waiters.set(orderId, set);
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0) this.waiters.delete(orderId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
    });
  }

  changed(orderId: string) {
    this.changedHere(orderId);
    // Only a waiter on another instance needs telling; most orders have none anywhere.
    this.relay?.send({ kind: 'order', orderId });
  }

  changedHere(orderId: string) {
    for (const wake of [...(this.waiters.get(orderId) ?? [])]) wake();
  }
}

export function createTicketing(
  parts: Omit<Ticketing, 'protocol' | 'orders' | 'gates' | 'caches'>,
): Ticketing {
  return {
    ...parts,
    protocol,
    orders: new OrderWatch(),
    gates: new GateFeed(),
    caches: new Caches(parts.clock),
  };
}

export type Trx = Kysely<TicketingDB>;

export interface Work {
  readonly trx: Trx;
  readonly now: number;
}

/**
 * One write transaction with the clock read once, as every effect in it sees it. Services that
 * make one atomic change take the `Work` their caller opened here; flows that call the network
 * between database steps (an order at the exchange) open their own, one per step.
 */
export function inTransaction<T>(ticketing: Ticketing, fn: (work: Work) => Promise<T>): Promise<T> {
  return writeTransaction(ticketing.database, (trx) => fn({ trx, now: ticketing.clock.now() }));
}
