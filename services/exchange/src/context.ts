/**
 * Patent unit 200's parts wired together: configuration, database, clock, rates, SMS, the live
 * notification hub. Routes and workers receive this; tests build it with their own clock, rate
 * file and database.
 */
import { type Database, writeTransaction } from '@tessera/db';
import { Caches } from '@tessera/service-kit/cache';
import type { Kysely } from 'kysely';
import type { Clock } from './clock.ts';
import type { ExchangeConfig } from './config.ts';
import type { ExchangeDB } from './db/schema.ts';
import { badRequest } from './errors.ts';
import type { Asset } from './money.ts';
import {
  type FinalWrite,
  type NotificationEvent,
  NotificationHub,
  writeNotifications,
} from './notifications/service.ts';
import { WebhookTransport } from './notifications/webhook-transport.ts';
import type { SmsSender } from './sms.ts';
import type { RateSource } from './trading/rates.ts';
import type { EventType } from './webhook-events.ts';

export interface Exchange {
  readonly config: ExchangeConfig;
  readonly database: Database<ExchangeDB>;
  readonly clock: Clock;
  readonly rates: RateSource;
  readonly sms: SmsSender;
  readonly hub: NotificationHub;
  /** Every asset by code: the fiat currency first, then the crypto assets. */
  readonly assets: ReadonlyMap<string, Asset>;
  /** Every cache of this instance, timed by `clock`, invalidated on the others by the bus. */
  readonly caches: Caches;
  /** Outgoing webhook requests: only to addresses the configured policy allows, checked at connect. */
  readonly webhooks: WebhookTransport;
}

export function createExchange(
  parts: Omit<Exchange, 'assets' | 'hub' | 'caches' | 'webhooks'> & {
    hub?: NotificationHub;
    webhooks?: WebhookTransport;
  },
): Exchange {
  const assets = new Map<string, Asset>();
  for (const asset of [parts.config.fiat, ...parts.config.cryptoAssets])
    assets.set(asset.code, asset);
  return {
    ...parts,
    hub: parts.hub ?? new NotificationHub(),
    assets,
    caches: new Caches(parts.clock),
    webhooks:
      parts.webhooks ??
      new WebhookTransport({
        allowPrivate: parts.config.webhookAllowPrivate,
        allowedNetworks: parts.config.webhookAllowedNetworks,
      }),
  };
}

export function assetOf(exchange: Exchange, code: string, kind?: Asset['kind']): Asset {
  const asset = exchange.assets.get(code);
  if (!asset || (kind && asset.kind !== kind)) {
    throw badRequest(
      'unknown_asset',
      kind ? `${code} is not a ${kind} asset of this exchange` : `unknown asset ${code}`,
    );
  }
  return asset;
}

/** What a unit of work inside a write transaction can use. */
export interface Work {
  readonly trx: Kysely<ExchangeDB>;
  readonly now: number;
  /** Queue a notification; written in this transaction, published after commit. */
  notify(subscriberId: string, type: EventType, data: Record<string, unknown>): void;
  /**
   * Queue a last write of this transaction (an INSERT or UPDATE with `?` placeholders, no
   * RETURNING). It runs with the outbox write: on PostgreSQL in the same statement, one round
   * trip fewer. Nothing later in the transaction may depend on it.
   */
  finally(write: FinalWrite): void;
}

/**
 * Runs `fn` in one write transaction; the notifications it queued are written in the same
 * transaction (the outbox) and pushed to live feeds only once it has committed.
 */
export async function inTransaction<T>(
  exchange: Exchange,
  fn: (work: Work) => Promise<T>,
): Promise<T> {
  let published: NotificationEvent[] = [];
  let deliveries = 0;
  const result = await writeTransaction(exchange.database, async (trx) => {
    const queued: { subscriberId: string; type: string; data: Record<string, unknown> }[] = [];
    const finalWrites: FinalWrite[] = [];
    const now = exchange.clock.now();
    const value = await fn({
      trx,
      now,
      notify: (subscriberId, type, data) => queued.push({ subscriberId, type, data }),
      finally: (write) => finalWrites.push(write),
    });
    ({ events: published, deliveries } = await writeNotifications(
      trx,
      exchange.database.dialect,
      now,
      queued,
      finalWrites,
    ));
    return value;
  });
  exchange.hub.publish(published, deliveries > 0);
  return result;
}
