import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, key, startTestExchange, type TestExchange } from './harness.ts';

describe.each(backends)('transfers and payment requests on %s', (backend) => {
  let x: TestExchange;
  beforeAll(async () => {
    x = await startTestExchange(backend);
  });
  afterAll(async () => {
    await x?.close();
  });

  it('moves money between wallets, replays a retried key, refuses a reused key for another body', async () => {
    const alice = await x.signUp('person');
    const bob = await x.signUp('person');
    await x.fund(alice.accountId, 'USDT', 10_000_000n);
    const k = key();
    const body = { to: { phone: bob.phone }, asset: 'USDT', amount: '2.5', memo: 'lunch' };
    const first = await x.request('POST', '/v1/transfers', { token: alice.token, key: k, body });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ from: alice.id, to: bob.id, amount: '2.5', memo: 'lunch' });
    const again = await x.request('POST', '/v1/transfers', { token: alice.token, key: k, body });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    const other = await x.request('POST', '/v1/transfers', {
      token: alice.token,
      key: k,
      body: { ...body, amount: '3' },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');

    const wallet = await x.request('GET', '/v1/wallet', { token: bob.token });
    expect(wallet.body.balances.find((b: { asset: string }) => b.asset === 'USDT').amount).toBe(
      '2.5',
    );
    const aliceWallet = await x.request('GET', '/v1/wallet', { token: alice.token });
    expect(
      aliceWallet.body.balances.find((b: { asset: string }) => b.asset === 'USDT').amount,
    ).toBe('7.5');

    const tooMuch = await x.request('POST', '/v1/transfers', {
      token: alice.token,
      key: key(),
      body: { ...body, amount: '7.500001' },
    });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error.code).toBe('insufficient_funds');
    const missingKey = await x.request('POST', '/v1/transfers', { token: alice.token, body });
    expect(missingKey.status).toBe(400);
    const noToken = await x.request('POST', '/v1/transfers', { key: key(), body });
    expect(noToken.status).toBe(401);
  });

  it('pays a request once, never twice and never late, and refunds in parts', async () => {
    const shop = await x.signUp('merchant', 'Concert Hall');
    const buyer = await x.signUp('person');
    await x.fund(buyer.accountId, 'BTC', 100_000n);
    const created = await x.request('POST', '/v1/payment-requests', {
      token: shop.token,
      key: key(),
      body: { asset: 'BTC', amount: '0.0003', reference: 'order-1', expiresInS: 600 },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const [a, b] = await Promise.all([
      x.request('POST', `/v1/payment-requests/${id}/pay`, { token: buyer.token, key: key() }),
      x.request('POST', `/v1/payment-requests/${id}/pay`, { token: buyer.token, key: key() }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const late = await x.request('POST', '/v1/payment-requests', {
      token: shop.token,
      key: key(),
      body: { asset: 'BTC', amount: '0.0001', reference: 'order-2', expiresInS: 60 },
    });
    x.clock.advance(60_000);
    const paidLate = await x.request('POST', `/v1/payment-requests/${late.body.id}/pay`, {
      token: buyer.token,
      key: key(),
    });
    expect(paidLate.status).toBe(409);
    expect(paidLate.body.error.code).toBe('request_expired');

    const partial = await x.request('POST', `/v1/payment-requests/${id}/refunds`, {
      token: shop.token,
      key: key(),
      body: { amount: '0.0001', reason: 'seat moved' },
    });
    expect(partial.status).toBe(201);
    expect(partial.body.refundedAmount).toBe('0.0001');
    const rest = await x.request('POST', `/v1/payment-requests/${id}/refunds`, {
      token: shop.token,
      key: key(),
      body: {},
    });
    expect(rest.body.refundedAmount).toBe('0.0003');
    const over = await x.request('POST', `/v1/payment-requests/${id}/refunds`, {
      token: shop.token,
      key: key(),
      body: {},
    });
    expect(over.body.error.code).toBe('fully_refunded');
    const wallet = await x.request('GET', '/v1/wallet', { token: buyer.token });
    expect(wallet.body.balances.find((w: { asset: string }) => w.asset === 'BTC').amount).toBe(
      '0.001',
    );
  });

  it('shows both parties the history, page by page, each entry once', async () => {
    const carol = await x.signUp('person');
    const dave = await x.signUp('person');
    await x.fund(carol.accountId, 'USDT', 100_000_000n);
    for (let i = 1; i <= 5; i++) {
      const sent = await x.request('POST', '/v1/transfers', {
        token: carol.token,
        key: key(),
        body: { to: { subscriberId: dave.id }, asset: 'USDT', amount: `${i}`, memo: `gift ${i}` },
      });
      expect(sent.status).toBe(201);
    }
    const seen: string[] = [];
    let before: number | null = null;
    do {
      const query: string = before === null ? '?limit=2' : `?limit=2&before=${before}`;
      const page = await x.request('GET', `/v1/wallet/transactions${query}`, { token: dave.token });
      expect(page.status).toBe(200);
      expect(page.body.transactions.length).toBeLessThanOrEqual(2);
      for (const item of page.body.transactions)
        seen.push(`${item.memo} ${item.changes[0].amount}`);
      before = page.body.nextBefore;
    } while (before !== null);
    expect(seen).toEqual(['gift 5 5', 'gift 4 4', 'gift 3 3', 'gift 2 2', 'gift 1 1']);
    const sender = await x.request('GET', '/v1/wallet/transactions?limit=1', {
      token: carol.token,
    });
    expect(sender.body.transactions[0]).toMatchObject({
      kind: 'transfer',
      memo: 'gift 5',
      changes: [{ asset: 'USDT', amount: '-5' }],
    });
  });

  it('creates a balance row an account lacks (an asset configured later) and posts to it', async () => {
    const erin = await x.signUp('person');
    const frank = await x.signUp('person');
    await x.fund(erin.accountId, 'BTC', 5_000n);
    // As if BTC had been added to the configuration after frank opened his wallet.
    await x.database.db
      .deleteFrom('balances')
      .where('account_id', '=', frank.accountId)
      .where('asset', '=', 'BTC')
      .execute();
    const sent = await x.request('POST', '/v1/transfers', {
      token: erin.token,
      key: key(),
      body: { to: { subscriberId: frank.id }, asset: 'BTC', amount: '0.00002' },
    });
    expect(sent.status).toBe(201);
    const row = await x.database.db
      .selectFrom('balances')
      .select('amount')
      .where('account_id', '=', frank.accountId)
      .where('asset', '=', 'BTC')
      .executeTakeFirstOrThrow();
    expect(BigInt(row.amount)).toBe(2_000n);
  });
});

describe.each(backends)('who may read a payment request on %s', (backend) => {
  let x: TestExchange;
  beforeAll(async () => {
    x = await startTestExchange(backend);
  });
  afterAll(async () => {
    await x?.close();
  });

  it('shows a paid request only to its merchant and its payer; 404 to anyone else', async () => {
    const shop = await x.signUp('merchant', 'Concert Hall');
    const otherShop = await x.signUp('merchant', 'Other Hall');
    const buyer = await x.signUp('person');
    const otherBuyer = await x.signUp('person');
    await x.fund(buyer.accountId, 'USDT', 10_000_000n);
    await x.fund(otherBuyer.accountId, 'USDT', 10_000_000n);
    const created = await x.request('POST', '/v1/payment-requests', {
      token: shop.token,
      key: key(),
      body: { asset: 'USDT', amount: '2', reference: 'order-7', expiresInS: 600 },
    });
    const id = created.body.id as string;
    // Before it is paid, whoever holds the id may read it to pay it (the buy page, the app).
    const unpaid = await x.request('GET', `/v1/payment-requests/${id}`, { token: buyer.token });
    expect(unpaid.status).toBe(200);
    expect(unpaid.body).toMatchObject({ status: 'open', payerId: null });
    const paid = await x.request('POST', `/v1/payment-requests/${id}/pay`, {
      token: buyer.token,
      key: key(),
    });
    expect(paid.status).toBe(200);

    for (const party of [shop, buyer]) {
      const seen = await x.request('GET', `/v1/payment-requests/${id}`, { token: party.token });
      expect(seen.status).toBe(200);
      expect(seen.body).toMatchObject({ status: 'paid', payerId: buyer.id });
    }
    const missing = await x.request('GET', '/v1/payment-requests/pr_0000000000000000', {
      token: otherBuyer.token,
    });
    for (const stranger of [otherShop, otherBuyer]) {
      const read = await x.request('GET', `/v1/payment-requests/${id}`, { token: stranger.token });
      expect(read.status).toBe(404);
      expect(read.body).toEqual(missing.body);
      const pay = await x.request('POST', `/v1/payment-requests/${id}/pay`, {
        token: stranger.token,
        key: key(),
      });
      // Paying it is refused as paid (a buyer who lost a race to pay learns why), with no
      // word of when or by whom.
      expect(pay.status).toBe(409);
      expect(pay.body).toEqual({
        error: { code: 'already_paid', message: 'this payment request has already been paid' },
      });
      for (const action of ['cancel', 'refunds']) {
        const other = await x.request('POST', `/v1/payment-requests/${id}/${action}`, {
          token: stranger.token,
          key: key(),
          body: {},
        });
        expect(other.status, action).toBeOneOf([403, 404]);
      }
    }
    // The payer paying again learns only what it already knows.
    const again = await x.request('POST', `/v1/payment-requests/${id}/pay`, {
      token: buyer.token,
      key: key(),
    });
    expect(again.body.error.code).toBe('already_paid');
  });

  it('makes request ids unguessable capabilities: 128 random bits', async () => {
    const shop = await x.signUp('merchant');
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const created = await x.request('POST', '/v1/payment-requests', {
        token: shop.token,
        key: key(),
        body: { asset: 'USDT', amount: '1', reference: `r${i}`, expiresInS: 600 },
      });
      const id = created.body.id as string;
      // Crockford base32: 5 bits a character; 26 characters carry 128 bits.
      expect(id).toMatch(/^pr_[0-9a-z]{26,}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(3);
  });
});
