/**
 * Rates, quotes and trades against a real app over both databases, plus the two rate providers.
 * Every amount below is worked out by hand from the rates in `testRates`, the default spread
 * (50 bps) and fee (10 bps); the arithmetic is in the comment beside each case.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { houseAccounts } from '../src/ledger/house-accounts.ts';
import { FileRateSource, parseTicker, TickerRateSource } from '../src/trading/rates.ts';
import { backends, key, startTestExchange, type TestExchange } from './harness.ts';

const testRates = { BTC: '95123456.78', ETH: '4512345.6', USDT: '1398.7' };

let mtimeBump = 0;
/**
 * Writes the rates file as a feed would. The file source re-checks the file at most once a
 * second of its clock and only when its modification time changed, so move both.
 */
function writeRates(x: TestExchange, rates: Record<string, string> = testRates, ageMs = 0) {
  x.clock.advance(1001);
  x.setRates(rates, x.clock.now() - ageMs);
  mtimeBump += 1;
  const when = new Date(Date.now() + mtimeBump * 1000);
  utimesSync(join(x.dir, 'rates.json'), when, when);
}

interface Case {
  asset: 'BTC' | 'ETH' | 'USDT';
  side: 'buy' | 'sell';
  body: { cryptoAmount: string } | { fiatAmount: string };
  rate: string;
  crypto: bigint;
  cryptoAmount: string;
  fiat: bigint;
  fee: bigint;
  total: bigint;
}

// Buy rate = source × 1.005, sell rate = source × 0.995. Buyer pays ceil, seller receives floor;
// a fiat-amount buy gets floor(fiat / rate) crypto, a fiat-amount sell gives ceil(fiat / rate).
// Fee = ceil(fiat × 10 / 10000). Total: buy fiat + fee, sell fiat − fee. KRW has no decimals.
const cases: Case[] = [
  // 95123456.78 × 1.005 = 95599074.0639; 0.0003 × that = 28679.72221917 → 28680; fee ⌈28.68⌉ = 29
  {
    asset: 'BTC',
    side: 'buy',
    body: { cryptoAmount: '0.0003' },
    rate: '95599074.0639',
    crypto: 30_000n,
    cryptoAmount: '0.0003',
    fiat: 28_680n,
    fee: 29n,
    total: 28_709n,
  },
  // 100000 / 95599074.0639 = 0.00104603 47… BTC → 104603 sat; fee 100
  {
    asset: 'BTC',
    side: 'buy',
    body: { fiatAmount: '100000' },
    rate: '95599074.0639',
    crypto: 104_603n,
    cryptoAmount: '0.00104603',
    fiat: 100_000n,
    fee: 100n,
    total: 100_100n,
  },
  // 95123456.78 × 0.995 = 94647839.4961; 0.0123 × that = 1164168.42… → 1164168; fee ⌈1164.168⌉
  {
    asset: 'BTC',
    side: 'sell',
    body: { cryptoAmount: '0.0123' },
    rate: '94647839.4961',
    crypto: 1_230_000n,
    cryptoAmount: '0.0123',
    fiat: 1_164_168n,
    fee: 1_165n,
    total: 1_163_003n,
  },
  // 500000 / 94647839.4961 = 0.00528274 6… BTC → rounded up to 528275 sat
  {
    asset: 'BTC',
    side: 'sell',
    body: { fiatAmount: '500000' },
    rate: '94647839.4961',
    crypto: 528_275n,
    cryptoAmount: '0.00528275',
    fiat: 500_000n,
    fee: 500n,
    total: 499_500n,
  },
  // 4512345.6 × 1.005 = 4534907.328; 1.5 × that = 6802360.992 → 6802361; fee ⌈6802.361⌉ = 6803
  {
    asset: 'ETH',
    side: 'buy',
    body: { cryptoAmount: '1.5' },
    rate: '4534907.328',
    crypto: 1_500_000_000_000_000_000n,
    cryptoAmount: '1.5',
    fiat: 6_802_361n,
    fee: 6_803n,
    total: 6_809_164n,
  },
  // 250000 / 4534907.328 = 0.055127918150921914 3… ETH → floor at 18 decimals
  {
    asset: 'ETH',
    side: 'buy',
    body: { fiatAmount: '250000' },
    rate: '4534907.328',
    crypto: 55_127_918_150_921_914n,
    cryptoAmount: '0.055127918150921914',
    fiat: 250_000n,
    fee: 250n,
    total: 250_250n,
  },
  // 4512345.6 × 0.995 = 4489783.872; 0.123456789012345678 × that = 554294.3… → 554294
  {
    asset: 'ETH',
    side: 'sell',
    body: { cryptoAmount: '0.123456789012345678' },
    rate: '4489783.872',
    crypto: 123_456_789_012_345_678n,
    cryptoAmount: '0.123456789012345678',
    fiat: 554_294n,
    fee: 555n,
    total: 553_739n,
  },
  // 1000000 / 4489783.872 = 0.222727870318297584 6… ETH → rounded up
  {
    asset: 'ETH',
    side: 'sell',
    body: { fiatAmount: '1000000' },
    rate: '4489783.872',
    crypto: 222_727_870_318_297_585n,
    cryptoAmount: '0.222727870318297585',
    fiat: 1_000_000n,
    fee: 1_000n,
    total: 999_000n,
  },
  // 1398.7 × 1.005 = 1405.6935; 250.5 × that = 352126.22175 → 352127; fee ⌈352.127⌉ = 353
  {
    asset: 'USDT',
    side: 'buy',
    body: { cryptoAmount: '250.5' },
    rate: '1405.6935',
    crypto: 250_500_000n,
    cryptoAmount: '250.5',
    fiat: 352_127n,
    fee: 353n,
    total: 352_480n,
  },
  // 77777 / 1405.6935 = 55.329984 6… USDT → 55.329984; fee ⌈77.777⌉ = 78
  {
    asset: 'USDT',
    side: 'buy',
    body: { fiatAmount: '77777' },
    rate: '1405.6935',
    crypto: 55_329_984n,
    cryptoAmount: '55.329984',
    fiat: 77_777n,
    fee: 78n,
    total: 77_855n,
  },
  // 1398.7 × 0.995 = 1391.7065; 250.5 × that = 348622.47825 → 348622; fee ⌈348.622⌉ = 349
  {
    asset: 'USDT',
    side: 'sell',
    body: { cryptoAmount: '250.5' },
    rate: '1391.7065',
    crypto: 250_500_000n,
    cryptoAmount: '250.5',
    fiat: 348_622n,
    fee: 349n,
    total: 348_273n,
  },
  // 30001 / 1391.7065 = 21.556987 3… USDT → rounded up to 21.556988; fee ⌈30.001⌉ = 31
  {
    asset: 'USDT',
    side: 'sell',
    body: { fiatAmount: '30001' },
    rate: '1391.7065',
    crypto: 21_556_988n,
    cryptoAmount: '21.556988',
    fiat: 30_001n,
    fee: 31n,
    total: 29_970n,
  },
];

describe.each(backends)('rates, quotes and trades on %s', (backend) => {
  let x: TestExchange;

  beforeAll(async () => {
    x = await startTestExchange(backend);
  });
  beforeEach(() => {
    // Every test starts from fresh rates, whatever the one before did to the file or the clock.
    writeRates(x);
  });
  afterAll(async () => {
    await x?.close();
  });

  const db = () => x.database.db;

  async function balance(account: string, asset: string) {
    const row = await db()
      .selectFrom('balances')
      .select('amount')
      .where('account_id', '=', account)
      .where('asset', '=', asset)
      .executeTakeFirst();
    return row ? BigInt(row.amount) : 0n;
  }

  async function snapshot(accounts: string[], assets: string[]) {
    const out: Record<string, bigint> = {};
    for (const account of accounts)
      for (const asset of assets) out[`${account} ${asset}`] = await balance(account, asset);
    return out;
  }

  /** Every asset's balances over the whole table sum to zero (double entry). */
  async function expectBalancesSumToZero() {
    const rows = await db().selectFrom('balances').select(['asset', 'amount']).execute();
    const sums = new Map<string, bigint>();
    for (const row of rows) sums.set(row.asset, (sums.get(row.asset) ?? 0n) + BigInt(row.amount));
    expect(sums.size).toBeGreaterThan(0);
    for (const [asset, sum] of sums) expect(sum, asset).toBe(0n);
  }

  async function quote(token: string, body: Record<string, string>) {
    return x.request('POST', '/v1/quotes', { token, key: key(), body });
  }

  it('lists each asset rate with its source, age and staleness', async () => {
    x.clock.advance(42_000);
    const rates = await x.request('GET', '/v1/rates');
    expect(rates.status).toBe(200);
    expect(rates.body).toMatchObject({ fiat: 'KRW', maxAgeS: 300, spreadBps: 50, feeBps: 10 });
    expect(rates.body.rates).toEqual([
      {
        asset: 'BTC',
        rate: '95123456.78',
        source: 'test',
        observedAt: new Date(x.clock.now() - 42_000).toISOString(),
        ageS: 42,
        stale: false,
      },
      expect.objectContaining({ asset: 'ETH', rate: '4512345.6', ageS: 42, stale: false }),
      expect.objectContaining({ asset: 'USDT', rate: '1398.7', ageS: 42, stale: false }),
    ]);

    writeRates(x, { BTC: '95000000' }, 301_000);
    const stale = await x.request('GET', '/v1/rates');
    expect(stale.body.rates[0]).toMatchObject({ asset: 'BTC', ageS: 301, stale: true });
    expect(stale.body.rates[1]).toMatchObject({ asset: 'ETH', rate: null, ageS: null });
  });

  it('prices buys and sells exactly for BTC, ETH and USDT in both amount forms', async () => {
    const person = await x.signUp('person');
    for (const c of cases) {
      const label = `${c.side} ${c.asset} ${JSON.stringify(c.body)}`;
      const response = await quote(person.token, { side: c.side, asset: c.asset, ...c.body });
      expect(response.status, `${label}: ${response.raw}`).toBe(201);
      expect(response.body, label).toMatchObject({
        side: c.side,
        asset: c.asset,
        fiat: 'KRW',
        cryptoAmount: c.cryptoAmount,
        fiatAmount: c.fiat.toString(),
        fee: c.fee.toString(),
        total: c.total.toString(),
        rate: c.rate,
        sourceRate: testRates[c.asset],
        rateSource: 'test',
        rateAgeS: 0,
        status: 'open',
        tradeId: null,
        createdAt: new Date(x.clock.now()).toISOString(),
        expiresAt: new Date(x.clock.now() + 30_000).toISOString(),
      });
      const row = await db()
        .selectFrom('quotes')
        .selectAll()
        .where('id', '=', response.body.id)
        .executeTakeFirstOrThrow();
      expect(
        {
          crypto: BigInt(row.crypto_amount),
          fiat: BigInt(row.fiat_amount),
          fee: BigInt(row.fee_amount),
        },
        label,
      ).toEqual({ crypto: c.crypto, fiat: c.fiat, fee: c.fee });
      expect(row).toMatchObject({
        subscriber_id: person.id,
        side: c.side,
        asset: c.asset,
        fiat_asset: 'KRW',
        rate: c.rate,
        status: 'open',
        entry_id: null,
        expires_at: x.clock.now() + 30_000,
      });
    }
  });

  it('refuses malformed and tiny quotes, and replays a retried key', async () => {
    const person = await x.signUp('person');
    const cases: [Record<string, string>, number, string][] = [
      [{ side: 'buy', asset: 'BTC' }, 400, 'invalid_amount'],
      [{ side: 'buy', asset: 'BTC', cryptoAmount: '1', fiatAmount: '1' }, 400, 'invalid_amount'],
      [{ side: 'buy', asset: 'BTC', cryptoAmount: '0' }, 400, 'invalid_amount'],
      [{ side: 'buy', asset: 'BTC', cryptoAmount: '0.000000001' }, 400, 'invalid_amount'],
      [{ side: 'buy', asset: 'BTC', fiatAmount: '10.5' }, 400, 'invalid_amount'],
      [{ side: 'buy', asset: 'KRW', fiatAmount: '1000' }, 400, 'unknown_asset'],
      [{ side: 'buy', asset: 'DOGE', fiatAmount: '1000' }, 400, 'unknown_asset'],
      [{ side: 'hold', asset: 'BTC', fiatAmount: '1000' }, 400, 'invalid_request'],
      // 1 sat sells for ⌊0.946…⌋ = 0 KRW.
      [{ side: 'sell', asset: 'BTC', cryptoAmount: '0.00000001' }, 400, 'amount_too_small'],
      // 2 sat sell for ⌊1.89…⌋ = 1 KRW and the fee ⌈0.001⌉ = 1 KRW takes all of it.
      [{ side: 'sell', asset: 'BTC', cryptoAmount: '0.00000002' }, 400, 'amount_too_small'],
    ];
    for (const [body, status, code] of cases) {
      const response = await quote(person.token, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.error.code, JSON.stringify(body)).toBe(code);
    }
    // A rate so high that 1 KRW buys less than a satoshi.
    writeRates(x, { ...testRates, BTC: '150000000' });
    const dust = await quote(person.token, { side: 'buy', asset: 'BTC', fiatAmount: '1' });
    expect(dust.status).toBe(400);
    expect(dust.body.error.code).toBe('amount_too_small');
    const count = await db()
      .selectFrom('quotes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('subscriber_id', '=', person.id)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);

    const k = key();
    const body = { side: 'buy', asset: 'USDT', cryptoAmount: '10' };
    const first = await x.request('POST', '/v1/quotes', { token: person.token, key: k, body });
    expect(first.status).toBe(201);
    const again = await x.request('POST', '/v1/quotes', { token: person.token, key: k, body });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect((await x.request('POST', '/v1/quotes', { token: person.token, body })).status).toBe(400);
    expect((await x.request('POST', '/v1/quotes', { key: key(), body })).status).toBe(401);
  });

  it('refuses to quote from a stale or a missing rate', async () => {
    const person = await x.signUp('person');
    const body = { side: 'buy', asset: 'BTC', cryptoAmount: '0.001' };
    // The clock moves past the maximum age; the file is unchanged.
    x.clock.advance(300_000);
    const atLimit = await quote(person.token, body);
    expect(atLimit.status, 'a rate exactly 300 s old is still usable').toBe(201);
    x.clock.advance(1_000);
    const stale = await quote(person.token, body);
    expect(stale.status).toBe(503);
    expect(stale.body.error.code).toBe('rate_stale');
    expect(stale.body.error.details).toMatchObject({ asset: 'BTC', ageS: 301, maxAgeS: 300 });

    // A feed that writes an old observation is just as stale.
    writeRates(x, testRates, 3_600_000);
    const old = await quote(person.token, { ...body, side: 'sell' });
    expect(old.status).toBe(503);
    expect(old.body.error).toMatchObject({ code: 'rate_stale', details: { ageS: 3600 } });

    writeRates(x, { BTC: testRates.BTC, ETH: testRates.ETH });
    const missing = await quote(person.token, { side: 'buy', asset: 'USDT', fiatAmount: '1000' });
    expect(missing.status).toBe(503);
    expect(missing.body.error).toMatchObject({
      code: 'rate_unavailable',
      details: { asset: 'USDT' },
    });
    rmSync(join(x.dir, 'rates.json'));
    x.clock.advance(1_001);
    const noFile = await quote(person.token, body);
    expect(noFile.status).toBe(503);
    expect(noFile.body.error.code).toBe('rate_unavailable');

    const quotes = await db()
      .selectFrom('quotes')
      .select('id')
      .where('subscriber_id', '=', person.id)
      .execute();
    expect(quotes).toHaveLength(1);
  });

  it('executes a buy as one trade entry with exactly the five legs', async () => {
    const person = await x.signUp('person');
    await x.fund(person.accountId, 'KRW', 1_000_000n);
    const accounts = [person.accountId, houseAccounts.liquidity, houseAccounts.fees];
    const before = await snapshot(accounts, ['KRW', 'BTC']);
    const q = await quote(person.token, { side: 'buy', asset: 'BTC', cryptoAmount: '0.0003' });
    expect(q.body.total).toBe('28709');

    const executed = await x.request('POST', `/v1/quotes/${q.body.id}/execute`, {
      token: person.token,
      key: key(),
    });
    expect(executed.status, executed.raw).toBe(200);
    expect(executed.body).toMatchObject({ id: q.body.id, status: 'executed', total: '28709' });
    const tradeId = executed.body.tradeId as string;
    expect(tradeId).toMatch(/^je_/);

    const after = await snapshot(accounts, ['KRW', 'BTC']);
    const delta = (account: string, asset: string) =>
      (after[`${account} ${asset}`] as bigint) - (before[`${account} ${asset}`] as bigint);
    expect(after[`${person.accountId} KRW`]).toBe(1_000_000n - 28_709n);
    expect(after[`${person.accountId} BTC`]).toBe(30_000n);
    expect(delta(houseAccounts.liquidity, 'KRW')).toBe(28_680n);
    expect(delta(houseAccounts.fees, 'KRW')).toBe(29n);
    expect(delta(houseAccounts.liquidity, 'BTC')).toBe(-30_000n);
    expect(delta(houseAccounts.fees, 'BTC')).toBe(0n);

    const entry = await db()
      .selectFrom('journal_entries')
      .selectAll()
      .where('id', '=', tradeId)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ kind: 'trade', ref_type: 'quote', ref_id: q.body.id });
    const postings = await db()
      .selectFrom('postings')
      .select(['account_id', 'asset', 'amount'])
      .where('entry_id', '=', tradeId)
      .execute();
    const legs = postings
      .map((p) => `${p.account_id} ${p.asset} ${BigInt(p.amount)}`)
      .sort()
      .join('\n');
    expect(legs).toBe(
      [
        `${person.accountId} BTC 30000`,
        `${person.accountId} KRW -28709`,
        `${houseAccounts.fees} KRW 29`,
        `${houseAccounts.liquidity} BTC -30000`,
        `${houseAccounts.liquidity} KRW 28680`,
      ]
        .sort()
        .join('\n'),
    );
    await expectBalancesSumToZero();

    const read = await x.request('GET', `/v1/quotes/${q.body.id}`, { token: person.token });
    expect(read.body).toMatchObject({ status: 'executed', tradeId });
    const notices = await db()
      .selectFrom('notifications')
      .select(['type', 'payload'])
      .where('subscriber_id', '=', person.id)
      .where('type', '=', 'trade.executed')
      .execute();
    expect(notices).toHaveLength(1);
    expect(JSON.parse(notices[0]?.payload ?? '{}').data).toMatchObject({
      quoteId: q.body.id,
      tradeId,
      side: 'buy',
      cryptoAmount: '0.0003',
      total: '28709',
    });
  });

  it('executes a sell: crypto to the house, fiat less the fee to the wallet, the fee apart', async () => {
    const person = await x.signUp('person');
    await x.fund(person.accountId, 'BTC', 2_000_000n);
    const accounts = [person.accountId, houseAccounts.liquidity, houseAccounts.fees];
    const before = await snapshot(accounts, ['KRW', 'BTC']);
    const q = await quote(person.token, { side: 'sell', asset: 'BTC', cryptoAmount: '0.0123' });
    const executed = await x.request('POST', `/v1/quotes/${q.body.id}/execute`, {
      token: person.token,
      key: key(),
    });
    expect(executed.status, executed.raw).toBe(200);
    const after = await snapshot(accounts, ['KRW', 'BTC']);
    const delta = (account: string, asset: string) =>
      (after[`${account} ${asset}`] as bigint) - (before[`${account} ${asset}`] as bigint);
    expect(after[`${person.accountId} BTC`]).toBe(2_000_000n - 1_230_000n);
    expect(after[`${person.accountId} KRW`]).toBe(1_163_003n);
    expect(delta(houseAccounts.liquidity, 'BTC')).toBe(1_230_000n);
    expect(delta(houseAccounts.liquidity, 'KRW')).toBe(-1_164_168n);
    expect(delta(houseAccounts.fees, 'KRW')).toBe(1_165n);
    const postings = await db()
      .selectFrom('postings')
      .select('entry_id')
      .where('entry_id', '=', executed.body.tradeId)
      .execute();
    expect(postings).toHaveLength(5);
    await expectBalancesSumToZero();
  });

  it('executes once under concurrency, never for another subscriber, never after expiry', async () => {
    const person = await x.signUp('person');
    const stranger = await x.signUp('person');
    await x.fund(person.accountId, 'KRW', 1_000_000n);
    await x.fund(stranger.accountId, 'KRW', 1_000_000n);
    const q = await quote(person.token, { side: 'buy', asset: 'ETH', fiatAmount: '250000' });
    const url = `/v1/quotes/${q.body.id}/execute`;

    expect(
      (await x.request('GET', `/v1/quotes/${q.body.id}`, { token: stranger.token })).status,
    ).toBe(404);
    const theirs = await x.request('POST', url, { token: stranger.token, key: key() });
    expect(theirs.status).toBe(404);
    expect(await balance(stranger.accountId, 'KRW')).toBe(1_000_000n);

    const keys = [key(), key()];
    const [a, b] = await Promise.all(
      keys.map((k) => x.request('POST', url, { token: person.token, key: k })),
    );
    expect([a?.status, b?.status].sort()).toEqual([200, 409]);
    expect((a?.status === 409 ? a : b)?.body.error.code).toBe('quote_executed');
    // The winner's key replays its answer; nothing moves a second time.
    const winner = keys[a?.status === 200 ? 0 : 1] as string;
    const replay = await x.request('POST', url, { token: person.token, key: winner });
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body.tradeId).toBe((a?.status === 200 ? a : b)?.body.tradeId);
    expect(await balance(person.accountId, 'KRW')).toBe(1_000_000n - 250_250n);
    expect(await balance(person.accountId, 'ETH')).toBe(55_127_918_150_921_914n);
    const trades = await db()
      .selectFrom('journal_entries')
      .select('id')
      .where('ref_id', '=', q.body.id)
      .execute();
    expect(trades).toHaveLength(1);

    const late = await quote(person.token, { side: 'buy', asset: 'ETH', fiatAmount: '1000' });
    x.clock.advance(29_999);
    expect(
      (await x.request('GET', `/v1/quotes/${late.body.id}`, { token: person.token })).body.status,
    ).toBe('open');
    x.clock.advance(1);
    const expired = await x.request('POST', `/v1/quotes/${late.body.id}/execute`, {
      token: person.token,
      key: key(),
    });
    expect(expired.status).toBe(409);
    expect(expired.body.error.code).toBe('quote_expired');
    expect(
      (await x.request('GET', `/v1/quotes/${late.body.id}`, { token: person.token })).body.status,
    ).toBe('expired');
    expect(await balance(person.accountId, 'KRW')).toBe(1_000_000n - 250_250n);
    await expectBalancesSumToZero();
  });

  it('answers 409 insufficient_funds and moves nothing when the wallet lacks fiat', async () => {
    const person = await x.signUp('person');
    await x.fund(person.accountId, 'KRW', 28_708n);
    const accounts = [person.accountId, houseAccounts.liquidity, houseAccounts.fees];
    const q = await quote(person.token, { side: 'buy', asset: 'BTC', cryptoAmount: '0.0003' });
    expect(q.body.total).toBe('28709');
    const before = await snapshot(accounts, ['KRW', 'BTC']);
    const refused = await x.request('POST', `/v1/quotes/${q.body.id}/execute`, {
      token: person.token,
      key: key(),
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'insufficient_funds',
      details: { asset: 'KRW' },
    });
    expect(await snapshot(accounts, ['KRW', 'BTC'])).toEqual(before);
    const entries = await db()
      .selectFrom('journal_entries')
      .select('id')
      .where('ref_id', '=', q.body.id)
      .execute();
    expect(entries).toEqual([]);
    const read = await x.request('GET', `/v1/quotes/${q.body.id}`, { token: person.token });
    expect(read.body).toMatchObject({ status: 'open', tradeId: null });

    // One more won makes it affordable, and the same quote then executes.
    await x.fund(person.accountId, 'KRW', 1n);
    const executed = await x.request('POST', `/v1/quotes/${q.body.id}/execute`, {
      token: person.token,
      key: key(),
    });
    expect(executed.status).toBe(200);
    expect(await balance(person.accountId, 'KRW')).toBe(0n);
    expect(await balance(person.accountId, 'BTC')).toBe(30_000n);
  });
});

describe('the rates file source', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-rates-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('re-reads the file when it changes, and has no rates when it is missing or broken', async () => {
    const path = join(dir, 'rates.json');
    let now = Date.UTC(2026, 10, 21, 12);
    const source = new FileRateSource(path, 'KRW', () => now);
    expect(await source.latest('BTC')).toBeUndefined();

    writeFileSync(
      path,
      JSON.stringify({
        source: 'feed',
        observedAt: '2026-11-21T11:59:00Z',
        rates: { BTC: '95000000' },
      }),
    );
    now += 1_000;
    expect(await source.latest('BTC')).toEqual({
      asset: 'BTC',
      fiat: 'KRW',
      rate: '95000000',
      source: 'feed',
      observedAt: Date.parse('2026-11-21T11:59:00Z'),
    });

    writeFileSync(path, JSON.stringify({ fiat: 'KRW', rates: { BTC: '96000000.5' } }));
    utimesSync(path, new Date('2026-11-21T12:00:30Z'), new Date('2026-11-21T12:00:30Z'));
    now += 1_000;
    // Without observedAt the file's modification time is the observation.
    expect(await source.latest('BTC')).toMatchObject({
      rate: '96000000.5',
      source: 'rates file',
      observedAt: Date.parse('2026-11-21T12:00:30Z'),
    });

    writeFileSync(path, '{"rates": {"BTC": "9500');
    utimesSync(path, new Date('2026-11-21T12:01:00Z'), new Date('2026-11-21T12:01:00Z'));
    now += 1_000;
    expect(await source.latest('BTC')).toBeUndefined();

    writeFileSync(path, JSON.stringify({ fiat: 'USD', rates: { BTC: '70000' } }));
    utimesSync(path, new Date('2026-11-21T12:02:00Z'), new Date('2026-11-21T12:02:00Z'));
    now += 1_000;
    expect(await source.latest('BTC'), 'rates in another currency are not used').toBeUndefined();
  });
});

describe('the ticker adapter', () => {
  it('parses the ticker format, exponent-form numbers included, skipping what it cannot use', () => {
    const text = `[
      {"market":"KRW-BTC","trade_price":95123000,"timestamp":1763726400000},
      {"market":"KRW-PEPE","trade_price":1.2e-7,"timestamp":1763726400001},
      {"market":"KRW-DUST","trade_price":1.2345e-17,"timestamp":1763726400001},
      {"market":"KRW-ETH","trade_price":4.5e6,"timestamp":1763726400002},
      {"market":"KRW-USDT","trade_price":"1398.5","timestamp":1763726400003},
      {"market":"USDT-BTC","trade_price":67000,"timestamp":1763726400000},
      {"market":"KRW-XRP","trade_price":-1,"timestamp":1763726400000},
      {"market":"KRW-SOL","trade_price":250000},
      {"market":"KRW-DOGE","trade_price":null,"timestamp":1763726400000},
      7
    ]`;
    const rates = parseTicker(text, 'KRW', 'ticker.example');
    expect([...rates.keys()].sort()).toEqual(['BTC', 'DUST', 'ETH', 'PEPE', 'USDT']);
    expect(rates.get('BTC')).toEqual({
      asset: 'BTC',
      fiat: 'KRW',
      rate: '95123000',
      source: 'ticker.example',
      observedAt: 1763726400000,
    });
    expect(rates.get('PEPE')?.rate).toBe('0.00000012');
    // Shifted, not rounded: all five significant digits survive 17 leading zeros.
    expect(rates.get('DUST')?.rate).toBe('0.000000000000000012345');
    expect(rates.get('ETH')?.rate).toBe('4500000');
    expect(rates.get('USDT')?.rate).toBe('1398.5');
    expect(() => parseTicker('{"market":"KRW-BTC"}', 'KRW', 'x')).toThrow();
  });

  describe('fetching', () => {
    let server: Server;
    let url: string;
    let hits = 0;
    let failing = false;
    beforeAll(async () => {
      server = createServer((_, response) => {
        hits += 1;
        if (failing) return response.writeHead(500).end('down');
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(
            JSON.stringify([
              { market: 'KRW-BTC', trade_price: 95000000 + hits, timestamp: 1763726400000 },
            ]),
          );
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/ticker?markets=KRW-BTC`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('fetches once per refresh interval and has no rate while the ticker fails', async () => {
      let now = 1_000_000;
      const source = new TickerRateSource(url, 'KRW', () => now, 5_000);
      const [first, second] = await Promise.all([source.latest('BTC'), source.latest('BTC')]);
      expect(first?.rate).toBe('95000001');
      expect(second?.rate).toBe('95000001');
      expect(first?.source).toBe(new URL(url).host);
      expect(hits).toBe(1);
      now += 4_999;
      expect((await source.latest('BTC'))?.rate).toBe('95000001');
      expect(hits).toBe(1);
      now += 1;
      expect((await source.latest('BTC'))?.rate).toBe('95000002');
      expect(await source.latest('ETH')).toBeUndefined();

      failing = true;
      const down = new TickerRateSource(url, 'KRW', () => now, 5_000);
      expect(await down.latest('BTC')).toBeUndefined();
    });
  });
});
