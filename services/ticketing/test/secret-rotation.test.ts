/**
 * Rotating the secret key that seals secrets at rest, on both servers' databases: values sealed
 * under key 1 open once key 2 is current and key 1 is listed as previous; the rotation command
 * seals every listed column again under key 2, in batches, resumes after a crash and does
 * nothing on a second run; after it key 1 can be dropped; a value sealed under a key that is not
 * configured fails with an error that names its key version.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from '@tessera/db';
import {
  keyVersion,
  openSecret,
  SecretKeys,
  UnknownSecretKeyError,
} from '@tessera/service-kit/secret-box';
import { resealColumns, type SealedColumn } from '@tessera/service-kit/secret-box/repository';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeSealedColumns } from '../../exchange/src/db/sealed-columns.ts';
import { loadConfig } from '../src/config.ts';
import { createTicketing, type Ticketing } from '../src/context.ts';
import { ticketingSealedColumns } from '../src/db/sealed-columns.ts';
import { ExchangeClient } from '../src/exchange-client.ts';
import { openPin, signerFor } from '../src/organizers/keys.ts';
import { walletOf } from '../src/organizers/wallet.ts';
import { buy, setupEvent } from './fixtures.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

const run = promisify(execFile);
const key1 = randomBytes(32).toString('hex');
const key2 = randomBytes(32).toString('hex');
const key3 = randomBytes(32).toString('hex');
const version = (hex: string) => keyVersion(Buffer.from(hex, 'hex'));

describe.each(backends)('rotating the secret key on %s', (backend) => {
  let s: TestSystem;
  let organizerId: string;
  let ticketId: string;
  beforeAll(async () => {
    s = await startTestSystem(backend, { TICKETING_SECRET_KEY: key1 });
    const setup = await setupEvent(s);
    organizerId = setup.organizer.id;
    const buyer = await s.createBuyer();
    const bought = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories.Seated as string,
      quantity: 1,
    });
    expect(bought.paid?.status).toBe(200);
    ticketId = (await storedTicket()).id;
  });
  afterAll(async () => {
    await s?.close();
  });

  /** The ticket's row as stored now (its sealed PIN changes with each rotation). */
  const storedTicket = () =>
    s.database.db.selectFrom('tickets').select(['id', 'pin']).executeTakeFirstOrThrow();

  /** The ticketing server as it would run with these keys, over the same database. */
  function ticketingWith(env: Record<string, string>): Ticketing {
    const config = loadConfig({ ...env, NODE_ENV: 'test', TICKETING_WORKERS: 'false' });
    return createTicketing({
      config,
      database: s.database,
      clock: s.clock,
      sms: s.sms,
      exchange: new ExchangeClient(s.exchangeUrl),
    });
  }

  /** Every sealed value of every listed column, with its context. */
  async function sealedValues(database = s.database, columns = ticketingSealedColumns) {
    const values: { where: string; value: string; context: string }[] = [];
    for (const column of columns) {
      const rows = (await database.db
        .selectFrom(column.table as never)
        .select([column.id, column.column, ...(column.with ?? [])] as never)
        .execute()) as Record<string, string>[];
      for (const row of rows) {
        const value = row[column.column];
        if (value) values.push({ where: column.table, value, context: column.context(row) });
      }
      // Each listed column holds at least one value here, so each is really exercised.
      expect(rows.length, `${column.table}.${column.column}`).toBeGreaterThan(0);
    }
    return values;
  }

  /** What the server reads: the signer (seed, phone-tag secret), the wallet link, a PIN. */
  async function readsEverything(ticketing: Ticketing) {
    const signer = await signerFor(ticketing, organizerId);
    expect(signer.phoneTagSecret).toHaveLength(32);
    expect((await walletOf(ticketing, organizerId)).apiKey).toMatch(/^xk_/);
    expect(openPin(ticketing, ticketId, (await storedTicket()).pin)).toMatch(/^\d+$/);
  }

  it('reads under key 2 with key 1 previous, rotates, resumes after a crash, then needs key 2 only', async () => {
    const before = await sealedValues();
    for (const { value } of before) expect(value.startsWith(`k${version(key1)}.`)).toBe(true);

    const rotating = ticketingWith({
      TICKETING_SECRET_KEY: key2,
      TICKETING_SECRET_KEY_PREVIOUS: `${randomBytes(32).toString('base64')},${key1}`,
    });
    await readsEverything(rotating);
    const keys = rotating.config.secretKeys;

    // A crash half way: the third value's batch fails; what committed before stays done.
    let calls = 0;
    const crashing: SealedColumn[] = ticketingSealedColumns.map((column) => ({
      ...column,
      context: (row) => {
        calls += 1;
        if (calls === 3) throw new Error('crash');
        return column.context(row);
      },
    }));
    await expect(resealColumns(s.database, keys, crashing, 1)).rejects.toThrow('crash');
    const half = await sealedValues();
    const moved = half.filter(({ value }) => keys.isCurrent(value)).length;
    expect(moved).toBe(2);

    // Run again (in batches of two): it finishes the rest.
    const counts = await resealColumns(s.database, keys, ticketingSealedColumns, 2);
    const resealed = counts.reduce((sum, count) => sum + count.resealed, 0);
    expect(resealed).toBe(before.length - moved);
    const after = await sealedValues();
    for (const { value, context } of after) {
      expect(value.startsWith(`k${version(key2)}.`)).toBe(true);
      expect(() =>
        openSecret(new SecretKeys(Buffer.from(key2, 'hex')), value, context),
      ).not.toThrow();
    }
    // A third run has nothing left to do.
    const again = await resealColumns(s.database, keys, ticketingSealedColumns);
    expect(again.every((count) => count.resealed === 0)).toBe(true);

    // Key 1 removed from the configuration: the server still reads everything.
    await readsEverything(ticketingWith({ TICKETING_SECRET_KEY: key2 }));
  });

  it('refuses a value sealed under a key it is not given, naming the key version', async () => {
    const stranger = ticketingWith({ TICKETING_SECRET_KEY: key3 });
    const failure = await signerFor(stranger, organizerId).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnknownSecretKeyError);
    expect((failure as Error).message).toContain(version(key2));
    expect((failure as Error).message).toMatch(/previous keys/);
    const { pin } = await storedTicket();
    expect(() => openPin(stranger, ticketId, pin)).toThrow(UnknownSecretKeyError);
  });

  it('rotates through the command line, and says which key is missing when one is', async () => {
    const schema =
      backend === 'postgres' &&
      (await sql<{ name: string }>`select current_schema() as name`.execute(s.database.db)).rows[0]
        ?.name;
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      TICKETING_SQLITE_PATH: s.ticketing.config.sqlitePath,
      ...(backend === 'postgres'
        ? { DATABASE_URL: s.ticketing.config.databaseUrl, TICKETING_DATABASE_SCHEMA: schema }
        : {}),
    } as NodeJS.ProcessEnv;
    const command = ['tsx', 'services/ticketing/src/cli/rotate-secrets.ts'];
    const rotated = await run('npx', command, {
      env: { ...env, TICKETING_SECRET_KEY: key3, TICKETING_SECRET_KEY_PREVIOUS: key2 },
    });
    const report = JSON.parse(rotated.stdout) as {
      keyVersion: string;
      counts: { resealed: number }[];
    };
    expect(report.keyVersion).toBe(version(key3));
    expect(report.counts.reduce((sum, count) => sum + count.resealed, 0)).toBeGreaterThan(0);
    await readsEverything(ticketingWith({ TICKETING_SECRET_KEY: key3 }));

    const missing = await run('npx', command, {
      env: { ...env, TICKETING_SECRET_KEY: key1 },
    }).catch((error: { code: number; stderr: string }) => error);
    expect((missing as { code: number }).code).toBe(1);
    expect((missing as { stderr: string }).stderr).toContain(`key version ${version(key3)}`);
  });

  it("seals the exchange's webhook secrets under a key version too, and rotates them", async () => {
    const exchange = s.x;
    const old = exchange.exchange.config.secretKeys;
    const values = await sealedValues(exchange.database as never, exchangeSealedColumns);
    for (const { value } of values) expect(old.isCurrent(value)).toBe(true);
    if (backend === 'sqlite') {
      // The exchange's command line (on PostgreSQL the test's schema is not the exchange's own).
      const rotated = await run('npx', ['tsx', 'services/exchange/src/cli/rotate-secrets.ts'], {
        env: {
          ...process.env,
          NODE_ENV: 'test',
          EXCHANGE_RATES_FILE: join(exchange.dir, 'rates.json'),
          EXCHANGE_SQLITE_PATH: exchange.exchange.config.sqlitePath,
          EXCHANGE_SECRET_KEY: key2,
          EXCHANGE_SECRET_KEY_PREVIOUS: old.current.toString('hex'),
        },
      });
      const report = JSON.parse(rotated.stdout) as { counts: { resealed: number }[] };
      expect(report.counts[0]?.resealed).toBe(values.length);
    } else {
      const next = new SecretKeys(Buffer.from(key2, 'hex'), [old.current]);
      const counts = await resealColumns(exchange.database, next, exchangeSealedColumns);
      expect(counts[0]?.resealed).toBe(values.length);
    }
    const only = new SecretKeys(Buffer.from(key2, 'hex'));
    for (const { value, context } of await sealedValues(
      exchange.database as never,
      exchangeSealedColumns,
    )) {
      expect(openSecret(only, value, context)).toMatch(/^whsec_/);
    }
  });
});
