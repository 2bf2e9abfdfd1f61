/**
 * Patent unit 100's parts wired together (102, control): configuration, the ticket database
 * (108), the clock (104), the SMS port, the exchange (114's counterpart) and the protocol that
 * signs credentials (110). Routes and workers receive this; tests build it with their own clock
 * and database.
 */
import type { Database } from '@tessera/db';
import { protocol } from '@tessera/protocol/node';
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
  /** Wakes the workers when something is due sooner than their next poll (tests, webhooks). */
  readonly signals: WorkerSignals;
}

export class WorkerSignals {
  private listeners = new Set<() => void>();
  on(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  wake() {
    for (const listener of this.listeners) listener();
  }
}

export function createTicketing(
  parts: Omit<Ticketing, 'protocol' | 'signals'> & { signals?: WorkerSignals },
): Ticketing {
  return { ...parts, protocol, signals: parts.signals ?? new WorkerSignals() };
}

export type Trx = Kysely<TicketingDB>;
