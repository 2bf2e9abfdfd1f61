/**
 * /ready answers at once whatever work is queued (issue 18, item 3: "/ready of the exchange
 * must answer within a second of its process resuming"). A process resumed after a pause
 * (SIGSTOP, a VM stall, a long GC) finds a burst of requests that arrived meanwhile; each takes
 * a connection from the pool (PostgreSQL) or waits for the one connection a group commit holds
 * (SQLite), and a readiness query that joined the same queue waited behind all of them. It now
 * has a connection of its own (`Database.health`, packages/db). Nothing here is timed: /ready is
 * asserted to answer while the queued work is still held back.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTransaction } from '@tessera/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../bench/lib.ts';
import { freePort } from '../../../scripts/free-port.ts';
import { backends, defaultRates, startTestExchange, type TestExchange } from './harness.ts';

describe.each(backends)('/ready while the database is busy on %s', (backend) => {
  let x: TestExchange;
  beforeAll(async () => {
    x = await startTestExchange(backend);
  });
  afterAll(async () => x?.close());

  it('answers while every connection of the service is held by work', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = () => {};
    const holding = new Promise<void>((resolve) => {
      started = resolve;
    });
    // SQLite: a write transaction holds the one connection. PostgreSQL: as many transactions
    // as the pool has clients, and more queued behind them.
    const busy =
      backend === 'sqlite'
        ? [
            writeTransaction(x.database, async () => {
              started();
              await held;
            }),
          ]
        : Array.from({ length: 25 }, () =>
            x.database.db.transaction().execute(async (trx) => {
              await trx.selectFrom('accounts').select('id').limit(1).execute();
              started();
              await held;
            }),
          );
    await holding;
    let done = 0;
    for (const work of busy) void work.then(() => (done += 1));
    const ready = await x.request('GET', '/ready');
    expect(ready.status).toBe(200);
    expect(done).toBe(0);
    release();
    await Promise.all(busy);
  });
});

describe.each(backends)('/ready of an exchange process resumed after SIGSTOP on %s', (backend) => {
  let dir: string;
  let database: { url: string; drop(): Promise<void> } | undefined;
  let child: ReturnType<typeof spawn> | undefined;
  let locker: pg.Client | undefined;
  let base: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-ready-'));
    const rates = join(dir, 'rates.json');
    writeFileSync(
      rates,
      JSON.stringify({
        source: 'test',
        observedAt: new Date().toISOString(),
        fiat: 'KRW',
        rates: defaultRates,
      }),
    );
    if (backend === 'postgres') database = await createPostgresDatabase();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'services/exchange/src/server.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        LOG_LEVEL: 'warn',
        EXCHANGE_HOST: '127.0.0.1',
        EXCHANGE_PORT: String(port),
        EXCHANGE_SQLITE_PATH: join(dir, 'exchange.db'),
        EXCHANGE_RATES_FILE: rates,
        EXCHANGE_AUTH_RATE_LIMIT: '1000000',
        // Thirty code requests from one address, for thirty numbers: not what this test is about.
        EXCHANGE_CODES_PER_ADDRESS_HOUR: '1000000',
        EXCHANGE_CODES_PER_PREFIX_HOUR: '1000000',
        DATABASE_URL: database?.url ?? '',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    // Started: /ready answers (it takes a few seconds to load and migrate).
    for (let attempt = 0; ; attempt++) {
      const status = await fetch(`${base}/ready`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      if (attempt > 300) throw new Error('the exchange did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 40_000);
  afterAll(async () => {
    await locker?.end().catch(() => {});
    child?.kill('SIGCONT');
    child?.kill('SIGTERM');
    if (child && child.exitCode === null)
      await new Promise((resolve) => child?.once('exit', resolve));
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const json = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...init.headers },
    });
    return { status: response.status, body: await response.json() };
  };

  /**
   * Sends a request over a connection of its own and resolves, with a promise of the answer's
   * status (wrapped, so that awaiting the sending does not await the answer), once the request is in the kernel's hands: a stopped process still gets its
   * connections accepted and their bytes buffered, to be read when it resumes.
   */
  const sent = (method: string, path: string, headers: Record<string, string>, body = '') =>
    new Promise<{ status: Promise<number> }>((resolveSent, rejectSent) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1');
      let received = '';
      const status = new Promise<number>((resolve, reject) => {
        socket.on('data', (chunk) => {
          received += chunk.toString('latin1');
        });
        socket.on('end', () => resolve(Number(received.split(' ')[1])));
        socket.on('error', reject);
      });
      socket.once('error', rejectSent);
      socket.on('connect', () => {
        const lines = [`${method} ${path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
        for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
        if (body)
          lines.push(
            'content-type: application/json',
            `content-length: ${Buffer.byteLength(body)}`,
          );
        socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`, () => resolveSent({ status }));
      });
    });

  it('answers ahead of the requests that queued up while it was stopped', {
    timeout: 30_000,
  }, async () => {
    const phone = '+821055550000';
    await json('/v1/auth/codes', { method: 'POST', body: JSON.stringify({ phone }) });
    const inbox = await json(`/dev/sms?phone=${encodeURIComponent(phone)}`);
    const opened = await json('/v1/subscribers', {
      method: 'POST',
      body: JSON.stringify({ phone, code: inbox.body.lastCode, kind: 'person', displayName: 'P' }),
    });
    expect(opened.status).toBe(201);
    const token = opened.body.token as string;

    // On PostgreSQL the queued requests are held where a burst waits in real life: on the
    // database: locks on the tables they write and read hold each one on a pool client.
    locker = database ? new pg.Client({ connectionString: database.url }) : undefined;
    locker?.on('error', () => {});
    await locker?.connect();
    child?.kill('SIGSTOP');
    await locker?.query('begin');
    await locker?.query('lock table phone_codes, balances in access exclusive mode');
    let finished = 0;
    const queued: Promise<number>[] = [];
    for (let i = 0; i < 60; i++) {
      const answer =
        i % 2
          ? await sent('GET', '/v1/wallet', { authorization: `Bearer ${token}` })
          : await sent(
              'POST',
              '/v1/auth/codes',
              {},
              JSON.stringify({ phone: `+8210${String(20_000_000 + i)}` }),
            );
      queued.push(answer.status.finally(() => (finished += 1)));
    }
    const ready = await sent('GET', '/ready', {});
    child?.kill('SIGCONT');
    expect(await ready.status).toBe(200);
    // PostgreSQL: the wallet reads are still waiting on the lock, so /ready went ahead of them.
    if (locker) expect(finished).toBeLessThan(queued.length);
    await locker?.query('commit');
    for (const status of await Promise.all(queued)) expect([200, 202]).toContain(status);
  });
});
