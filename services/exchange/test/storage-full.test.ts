/**
 * A full disk (issue 18, item 2): a write the database refuses for lack of space is 503
 * `storage_full` with Retry-After, /ready says not ready and the metrics count it, nothing of
 * the refused request is kept, and service resumes once space returns. The disk is filled with
 * SQLite's `max_page_count` (scripts/test/sqlite-full.ts); a full PostgreSQL disk (53100) is
 * classified by the same `isStorageFull` (packages/db/test/db.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillUp, roomAgain, sample } from '../../../scripts/test/sqlite-full.ts';
import { key, startTestExchange, type TestExchange } from './harness.ts';

describe('a full disk at the exchange (SQLite)', () => {
  let x: TestExchange;
  beforeAll(async () => {
    x = await startTestExchange('sqlite');
  });
  afterAll(async () => x?.close());

  const usdt = async (token: string) => {
    const wallet = await x.request('GET', '/v1/wallet', { token });
    return wallet.body.balances.find((b: { asset: string }) => b.asset === 'USDT')?.amount;
  };
  const metrics = async () =>
    (await x.request('GET', '/metrics', { token: x.exchange.config.operatorToken })).raw;

  it('answers 503 storage_full, is not ready, counts it, keeps nothing half-written, and resumes', async () => {
    const alice = await x.signUp('person');
    const bob = await x.signUp('person');
    await x.fund(alice.accountId, 'USDT', 1_000_000_000n);
    expect((await x.request('GET', '/ready')).status).toBe(200);

    await fillUp(x.database.db);
    const transfer = (k: string) =>
      x.request('POST', '/v1/transfers', {
        token: alice.token,
        key: k,
        body: { to: { phone: bob.phone }, asset: 'USDT', amount: '1', memo: 'x'.repeat(200) },
      });
    // The rows' pages may have a little room left: send until one needs a new page.
    let sent = 0;
    let refused: Awaited<ReturnType<typeof transfer>> | undefined;
    let refusedKey = '';
    for (let i = 0; i < 500 && !refused; i++) {
      refusedKey = key();
      const answer = await transfer(refusedKey);
      if (answer.status === 201) sent += 1;
      else refused = answer;
    }
    expect(refused?.status, JSON.stringify(refused?.body)).toBe(503);
    expect(refused?.body.error.code).toBe('storage_full');
    expect(refused?.headers['retry-after']).toBe('30');

    const ready = await x.request('GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('storage_full');
    const full = await metrics();
    expect(sample(full, 'tessera_storage_full_total')).toBeGreaterThanOrEqual(1);
    expect(sample(full, 'tessera_storage_full')).toBe(1);

    // Nothing half-written: the refused transfer moved nothing, and no money was made or lost.
    expect(await usdt(alice.token)).toBe(String(1000 - sent));
    expect(await usdt(bob.token)).toBe(String(sent));

    // Space returns: ready again, and the refused call retried with its key goes through once.
    await roomAgain(x.database.db);
    expect((await x.request('GET', '/ready')).status).toBe(200);
    expect(sample(await metrics(), 'tessera_storage_full')).toBe(0);
    const retried = await transfer(refusedKey);
    expect(retried.status, retried.raw).toBe(201);
    expect((await transfer(refusedKey)).headers['idempotent-replayed']).toBe('true');
    expect(await usdt(alice.token)).toBe(String(1000 - sent - 1));
    expect(await usdt(bob.token)).toBe(String(sent + 1));
  });
});
