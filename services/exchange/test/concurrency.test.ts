/**
 * Races the issue names: many payments from one wallet, one idempotency key sent many times at
 * once, one payment request paid by many payers at once. Requests are fired together and the
 * database decides; afterwards the audit must pass.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../src/ledger/audit.ts';
import { backends, key, startTestExchange, type TestExchange } from './harness.ts';

describe.each(backends)('concurrency on %s', (backend) => {
  let x: TestExchange;
  beforeAll(async () => {
    x = await startTestExchange(backend);
  });
  afterAll(async () => {
    await x?.close();
  });

  async function expectAuditClean() {
    const report = await auditLedger(x.database, new Set(x.exchange.assets.keys()));
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }

  it('50 simultaneous payments from a wallet that can afford 10: exactly 10 succeed', async () => {
    const shop = await x.signUp('merchant', 'Arena');
    const buyer = await x.signUp('person');
    const price = 1_500_000n; // 1.5 USDT
    await x.fund(buyer.accountId, 'USDT', price * 10n);
    const requests = [];
    for (let i = 0; i < 50; i++) {
      const created = await x.request('POST', '/v1/payment-requests', {
        token: shop.token,
        key: key(),
        body: { asset: 'USDT', amount: '1.5', reference: `seat-${i}`, expiresInS: 600 },
      });
      expect(created.status).toBe(201);
      requests.push(created.body.id as string);
    }
    const results = await Promise.all(
      requests.map((id) =>
        x.request('POST', `/v1/payment-requests/${id}/pay`, { token: buyer.token, key: key() }),
      ),
    );
    const paid = results.filter((result) => result.status === 200);
    const refused = results.filter((result) => result.status === 409);
    expect(paid).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const result of refused) expect(result.body.error.code).toBe('insufficient_funds');
    const wallet = await x.request('GET', '/v1/wallet', { token: buyer.token });
    expect(wallet.body.balances.find((b: { asset: string }) => b.asset === 'USDT').amount).toBe(
      '0',
    );
    const shopWallet = await x.request('GET', '/v1/wallet', { token: shop.token });
    expect(shopWallet.body.balances.find((b: { asset: string }) => b.asset === 'USDT').amount).toBe(
      '15',
    );
    await expectAuditClean();
  });

  it('the same idempotency key sent 20 times at once has one effect', async () => {
    const alice = await x.signUp('person');
    const bob = await x.signUp('person');
    await x.fund(alice.accountId, 'ETH', 10n ** 18n);
    const k = key();
    const body = { to: { subscriberId: bob.id }, asset: 'ETH', amount: '0.25', memo: 'once' };
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        x.request('POST', '/v1/transfers', { token: alice.token, key: k, body }),
      ),
    );
    for (const result of results) {
      expect(result.status).toBe(201);
      expect(result.body).toEqual(results[0]?.body);
    }
    expect(
      results.filter((result) => result.headers['idempotent-replayed'] === 'true'),
    ).toHaveLength(19);
    const entries = await x.database.db
      .selectFrom('journal_entries')
      .select('id')
      .where('kind', '=', 'transfer')
      .where('memo', '=', 'once')
      .execute();
    expect(entries).toHaveLength(1);
    const wallet = await x.request('GET', '/v1/wallet', { token: bob.token });
    expect(wallet.body.balances.find((b: { asset: string }) => b.asset === 'ETH').amount).toBe(
      '0.25',
    );
    await expectAuditClean();
  });

  it('a request paid by ten payers at once is paid once; after expiry by nobody', async () => {
    const shop = await x.signUp('merchant', 'Hall');
    const payers = [];
    for (let i = 0; i < 10; i++) {
      const payer = await x.signUp('person');
      await x.fund(payer.accountId, 'BTC', 1_000_000n);
      payers.push(payer);
    }
    const created = await x.request('POST', '/v1/payment-requests', {
      token: shop.token,
      key: key(),
      body: { asset: 'BTC', amount: '0.005', reference: 'order-race', expiresInS: 30 },
    });
    const id = created.body.id as string;
    const results = await Promise.all(
      payers.map((payer) =>
        x.request('POST', `/v1/payment-requests/${id}/pay`, { token: payer.token, key: key() }),
      ),
    );
    expect(results.filter((result) => result.status === 200)).toHaveLength(1);
    for (const result of results.filter((r) => r.status !== 200)) {
      expect(result.status).toBe(409);
      expect(result.body.error.code).toBe('already_paid');
    }
    const late = await x.request('POST', '/v1/payment-requests', {
      token: shop.token,
      key: key(),
      body: { asset: 'BTC', amount: '0.005', reference: 'order-late', expiresInS: 30 },
    });
    x.clock.advance(30_000);
    const lateResults = await Promise.all(
      payers.map((payer) =>
        x.request('POST', `/v1/payment-requests/${late.body.id}/pay`, {
          token: payer.token,
          key: key(),
        }),
      ),
    );
    for (const result of lateResults) expect(result.body.error.code).toBe('request_expired');
    const view = await x.request('GET', `/v1/payment-requests/${late.body.id}`, {
      token: shop.token,
    });
    expect(view.body.status).toBe('expired');
    await expectAuditClean();
  });
});
