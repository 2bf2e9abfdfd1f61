/**
 * Builds a real exchange for tests: a real database (a temporary SQLite file, or a fresh
 * PostgreSQL schema), the real routes, a manual clock, a rates file and the development SMS
 * sender. Requests go through Fastify's inject, so everything but the socket is exercised.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Database, migrateToLatest, openDatabase, sql, writeTransaction } from '@tessera/db';
import { injectJson, type TestRequest } from '../../../scripts/test/inject.ts';
import { testPostgresUrl as postgresUrl } from '../../../scripts/test/postgres.ts';
import { buildApp } from '../src/app.ts';
import { ManualClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { createExchange } from '../src/context.ts';
import { exchangeMigrations } from '../src/db/migrations/index.ts';
import type { ExchangeDB } from '../src/db/schema.ts';
import { houseAccounts } from '../src/ledger/house-accounts.ts';
import { postEntry } from '../src/ledger/service.ts';
import { allRoutes } from '../src/routes.ts';
import { DevelopmentSms } from '../src/sms.ts';
import { FileRateSource } from '../src/trading/rates.ts';

export type Backend = 'sqlite' | 'postgres';
export const backends: Backend[] = ['sqlite', 'postgres'];
export { postgresUrl };

export const defaultRates = { BTC: '95000000', ETH: '4500000', USDT: '1400' };

export type { TestRequest };

/** A fresh database for the backend; PostgreSQL gets its own schema, dropped on close. */
export function openTestDatabase(backend: Backend, dir: string) {
  const schema = backend === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const database = openDatabase<ExchangeDB>({
    databaseUrl: backend === 'postgres' ? postgresUrl : undefined,
    sqlitePath: join(dir, 'exchange.db'),
    ...(schema ? { postgresSchema: schema, poolSize: 20 } : {}),
  });
  return {
    database,
    async drop() {
      if (schema) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    },
  };
}

export async function startTestExchange(backend: Backend, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-exchange-'));
  const clock = new ManualClock();
  const ratesPath = join(dir, 'rates.json');
  const setRates = (rates: Record<string, string> = defaultRates, observedAt = clock.now()) =>
    writeFileSync(
      ratesPath,
      JSON.stringify({
        source: 'test',
        observedAt: new Date(observedAt).toISOString(),
        fiat: 'KRW',
        rates,
      }),
    );
  setRates();
  const config = loadConfig({
    NODE_ENV: 'test',
    EXCHANGE_RATES_FILE: ratesPath,
    EXCHANGE_SQLITE_PATH: join(dir, 'exchange.db'),
    EXCHANGE_WORKERS: 'false',
    // Tests sign up many subscribers from one address; the limit itself is tested on its own.
    EXCHANGE_AUTH_RATE_LIMIT: '100000',
    EXCHANGE_CODES_PER_ADDRESS_HOUR: '1000000',
    EXCHANGE_CODES_PER_PREFIX_HOUR: '1000000',
    ...(backend === 'postgres' ? { DATABASE_URL: postgresUrl } : {}),
    ...env,
  });
  const { database, drop } = openTestDatabase(backend, dir);
  await migrateToLatest(database, exchangeMigrations);
  const sms = new DevelopmentSms();
  const rates = new FileRateSource(ratesPath, config.fiat.code, () => clock.now());
  const exchange = createExchange({ config, database, clock, rates, sms });
  const app = await buildApp(exchange, allRoutes);
  let phoneCounter = 0;

  const request = (method: string, url: string, options: TestRequest = {}) =>
    injectJson(app, method, url, options);

  /** Opens an account through the real sign-up flow and returns its token and ids. */
  async function signUp(
    kind: 'person' | 'merchant' = 'person',
    name = `${kind} ${phoneCounter + 1}`,
  ) {
    phoneCounter += 1;
    const phone = `+8210${String(10_000_000 + phoneCounter * 7919 + Math.floor(Math.random() * 1000)).slice(-8)}`;
    const sent = await request('POST', '/v1/auth/codes', { body: { phone } });
    if (sent.status !== 202) throw new Error(`code: ${sent.status} ${sent.raw}`);
    const code = sms.lastCode(phone);
    const opened = await request('POST', '/v1/subscribers', {
      body: { phone, code, kind, displayName: name },
    });
    if (opened.status !== 201) throw new Error(`sign up: ${opened.status} ${opened.raw}`);
    const account = await database.db
      .selectFrom('subscribers')
      .select('account_id')
      .where('id', '=', opened.body.subscriber.id)
      .executeTakeFirstOrThrow();
    return {
      token: opened.body.token as string,
      id: opened.body.subscriber.id as string,
      phone,
      accountId: account.account_id,
    };
  }

  /** Puts money in a wallet the way a confirmed bank deposit does: a real journal entry. */
  async function fund(accountId: string, asset: string, units: bigint) {
    await writeTransaction(database, (trx) =>
      postEntry(trx, database.dialect, clock.now(), {
        kind: 'deposit',
        memo: 'test funding',
        postings: [
          { account: houseAccounts.bank, asset, amount: -units },
          { account: accountId, asset, amount: units },
        ],
      }),
    );
  }

  return {
    backend,
    exchange,
    app,
    clock,
    sms,
    dir,
    database: database as Database<ExchangeDB>,
    setRates,
    request,
    signUp,
    fund,
    async close() {
      await app.close();
      await drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type TestExchange = Awaited<ReturnType<typeof startTestExchange>>;

let keyCounter = 0;
/** A fresh idempotency key. */
export function key() {
  keyCounter += 1;
  return `test-${Date.now()}-${keyCounter}-${randomBytes(4).toString('hex')}`;
}
