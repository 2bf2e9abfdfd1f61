import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { fiatRoutes } from '../src/fiat/routes.ts';
import { fiatProviders, luhnValid, sandboxTestCards } from '../src/fiat/service.ts';
import { maskAccountNumber } from '../src/fiat/views.ts';
import { houseAccounts } from '../src/ledger/house-accounts.ts';
import { backends, key, startTestExchange, type TestExchange } from './harness.ts';

const good = { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' };

describe('card sandbox helpers', () => {
  it('checks Luhn and knows every documented test card', () => {
    for (const number of Object.keys(sandboxTestCards)) expect(luhnValid(number)).toBe(true);
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('42424242424242a2')).toBe(false);
  });

  it('masks all but the last four digits of an account number', () => {
    expect(maskAccountNumber('110-123-456789')).toBe('***-***-**6789');
    expect(maskAccountNumber('12345678')).toBe('****5678');
  });
});

describe.each(backends)('fiat in and out on %s', (backend) => {
  let x: TestExchange;
  let operator: string;
  beforeAll(async () => {
    x = await startTestExchange(backend);
    operator = x.exchange.config.operatorToken;
  });
  afterAll(async () => {
    await x?.close();
  });

  async function krw(token: string) {
    const wallet = await x.request('GET', '/v1/wallet', { token });
    return wallet.body.balances.find((b: { asset: string }) => b.asset === 'KRW').amount as string;
  }

  async function houseBalance(account: string) {
    const row = await x.database.db
      .selectFrom('balances')
      .select('amount')
      .where('account_id', '=', account)
      .where('asset', '=', 'KRW')
      .executeTakeFirst();
    return BigInt(row?.amount ?? '0');
  }

  async function postingsOf(entryId: string) {
    const rows = await x.database.db
      .selectFrom('postings as p')
      .innerJoin('journal_entries as e', 'e.id', 'p.entry_id')
      .select(['e.kind', 'p.account_id', 'p.asset', 'p.amount'])
      .where('p.entry_id', '=', entryId)
      .execute();
    return rows
      .map((row) => ({
        kind: row.kind,
        account: row.account_id,
        asset: row.asset,
        amount: String(row.amount),
      }))
      .sort((a, b) => (a.account < b.account ? -1 : 1));
  }

  async function depositRows(subscriberId: string) {
    return x.database.db
      .selectFrom('deposits')
      .selectAll()
      .where('subscriber_id', '=', subscriberId)
      .execute();
  }

  const cardDeposit = (token: string, card: object, amount = '50000', k = key()) =>
    x.request('POST', '/v1/deposits', {
      token,
      key: k,
      body: { method: 'card', amount, card },
    });

  it('credits the wallet for the succeeding test card, with the deposit legs', async () => {
    const buyer = await x.signUp('person');
    const houseCardBefore = await houseBalance(houseAccounts.card);
    const res = await cardDeposit(buyer.token, { ...good, number: '4242 4242 4242 4242' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      subscriberId: buyer.id,
      method: 'card',
      status: 'succeeded',
      asset: 'KRW',
      amount: '50000',
      cardLast4: '4242',
      reference: null,
      failure: null,
    });
    expect(await krw(buyer.token)).toBe('50000');
    expect(await houseBalance(houseAccounts.card)).toBe(houseCardBefore - 50_000n);
    expect(await postingsOf(res.body.entryId)).toEqual([
      { kind: 'deposit', account: buyer.accountId, asset: 'KRW', amount: '50000' },
      { kind: 'deposit', account: houseAccounts.card, asset: 'KRW', amount: '-50000' },
    ]);
    const notes = await x.database.db
      .selectFrom('notifications')
      .select('type')
      .where('subscriber_id', '=', buyer.id)
      .execute();
    expect(notes.map((n) => n.type)).toContain('deposit.succeeded');
  });

  it.each([
    ['4000000000000002', 'card_declined', {}],
    ['4000000000009995', 'insufficient_funds', {}],
    ['4000000000000069', 'expired_card', {}],
    ['4000000000000127', 'incorrect_cvc', {}],
    ['4111111111111111', 'card_not_supported', {}],
    ['4242424242424242', 'expired_card', { expMonth: 10, expYear: 2026 }],
  ])('refuses %s with %s and records the refusal', async (number, reason, overrides) => {
    const buyer = await x.signUp('person');
    const res = await cardDeposit(buyer.token, { ...good, ...overrides, number });
    expect(res.status).toBe(402);
    expect(res.body).toEqual({
      error: {
        code: 'payment_method_refused',
        message: expect.any(String),
        details: { reason, depositId: expect.stringMatching(/^dep_/), retry: true },
      },
    });
    const rows = await depositRows(buyer.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: res.body.error.details.depositId,
      status: 'refused',
      method: 'card',
      failure_code: reason,
      card_last4: number.slice(-4),
      entry_id: null,
    });
    expect(await krw(buyer.token)).toBe('0');
    const shown = await x.request('GET', `/v1/deposits/${res.body.error.details.depositId}`, {
      token: buyer.token,
    });
    expect(shown.body).toMatchObject({ status: 'refused', failure: { code: reason } });
  });

  it('replays a refusal for the same key without a second row, then succeeds with another card', async () => {
    const buyer = await x.signUp('person');
    const k = key();
    const declined = { ...good, number: '4000000000000002' };
    const first = await cardDeposit(buyer.token, declined, '20000', k);
    expect(first.status).toBe(402);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await cardDeposit(buyer.token, declined, '20000', k);
    expect(again.status).toBe(402);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await depositRows(buyer.id)).toHaveLength(1);

    const retry = await cardDeposit(buyer.token, good, '20000');
    expect(retry.status).toBe(201);
    expect(retry.body.status).toBe('succeeded');
    expect(await krw(buyer.token)).toBe('20000');
    const rows = await depositRows(buyer.id);
    expect(rows.map((r) => r.status).sort()).toEqual(['refused', 'succeeded']);
    const notes = await x.database.db
      .selectFrom('notifications')
      .select('type')
      .where('subscriber_id', '=', buyer.id)
      .orderBy('seq')
      .execute();
    expect(notes.map((n) => n.type)).toEqual(['deposit.refused', 'deposit.succeeded']);
  });

  it('rejects bad card input and amounts with 400 and records nothing', async () => {
    const buyer = await x.signUp('person');
    const cases: [object, string, string][] = [
      [{ ...good, number: '4242424242424241' }, '50000', 'invalid_card_number'],
      [{ ...good, number: '4242' }, '50000', 'invalid_card_number'],
      [{ ...good, cvc: '12' }, '50000', 'invalid_cvc'],
      [{ ...good, cvc: '12a4' }, '50000', 'invalid_cvc'],
      [{ ...good, expMonth: 13 }, '50000', 'invalid_expiry'],
      [{ ...good, expYear: 30 }, '50000', 'invalid_expiry'],
      [good, '0', 'invalid_amount'],
      [good, '10.5', 'invalid_amount'],
      [good, '10000001', 'amount_too_large'],
    ];
    for (const [card, amount, code] of cases) {
      const res = await cardDeposit(buyer.token, card, amount);
      expect(res.status, code).toBe(400);
      expect(res.body.error.code).toBe(code);
      expect(res.raw).not.toContain('424242424242');
    }
    const atLimit = await cardDeposit(buyer.token, good, '10000000');
    expect(atLimit.status).toBe(201);
    expect(await depositRows(buyer.id)).toHaveLength(1);
    const noKey = await x.request('POST', '/v1/deposits', {
      token: buyer.token,
      body: { method: 'card', amount: '1000', card: good },
    });
    expect(noKey.status).toBe(400);
    expect(await depositRows(buyer.id)).toHaveLength(1);
  });

  it('confirms a bank transfer once even when two operators confirm at the same moment', async () => {
    const buyer = await x.signUp('merchant');
    const created = await x.request('POST', '/v1/deposits', {
      token: buyer.token,
      key: key(),
      body: { method: 'bank_transfer', amount: '300000' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      method: 'bank_transfer',
      status: 'pending',
      entryId: null,
    });
    const reference = created.body.reference as string;
    expect(reference).toMatch(/^TSR-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    expect(created.body.instructions).toMatchObject({ reference, amount: '300000', asset: 'KRW' });
    expect(await krw(buyer.token)).toBe('0');

    const queue = await x.request(
      'GET',
      `/v1/operator/deposits?status=pending&reference=${reference.toLowerCase()}`,
      { token: operator },
    );
    expect(queue.status).toBe(200);
    expect(queue.body.deposits.map((d: { id: string }) => d.id)).toEqual([created.body.id]);

    const bankBefore = await houseBalance(houseAccounts.bank);
    const url = `/v1/operator/deposits/${created.body.id}/confirm`;
    const k1 = key();
    const [a, b] = await Promise.all([
      x.request('POST', url, { token: operator, key: k1 }),
      x.request('POST', url, { token: operator, key: key() }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.code).toBe('not_pending');
    expect(await krw(buyer.token)).toBe('300000');
    expect(await houseBalance(houseAccounts.bank)).toBe(bankBefore - 300_000n);
    const winner = a.status === 200 ? a : b;
    expect(winner.body).toMatchObject({ status: 'succeeded', instructions: null });
    expect(await postingsOf(winner.body.entryId)).toEqual([
      { kind: 'deposit', account: buyer.accountId, asset: 'KRW', amount: '300000' },
      { kind: 'deposit', account: houseAccounts.bank, asset: 'KRW', amount: '-300000' },
    ]);
    const entries = await x.database.db
      .selectFrom('journal_entries')
      .select('id')
      .where('ref_id', '=', created.body.id)
      .execute();
    expect(entries).toHaveLength(1);

    const again = await x.request('POST', url, { token: operator, key: key() });
    expect(again.status).toBe(409);
    const stale = await x.request('POST', `/v1/deposits/${created.body.id}/cancel`, {
      token: buyer.token,
      key: key(),
    });
    expect(stale.status).toBe(409);
    expect(await krw(buyer.token)).toBe('300000');
    const notes = await x.database.db
      .selectFrom('notifications')
      .select('type')
      .where('subscriber_id', '=', buyer.id)
      .orderBy('seq')
      .execute();
    expect(notes.map((n) => n.type)).toEqual(['deposit.pending', 'deposit.succeeded']);
  });

  it('lets the owner cancel a pending transfer, and the operator reject one', async () => {
    const buyer = await x.signUp('person');
    const other = await x.signUp('person');
    const transfer = () =>
      x.request('POST', '/v1/deposits', {
        token: buyer.token,
        key: key(),
        body: { method: 'bank_transfer', amount: '10000' },
      });
    const first = await transfer();
    const byOther = await x.request('POST', `/v1/deposits/${first.body.id}/cancel`, {
      token: other.token,
      key: key(),
    });
    expect(byOther.status).toBe(404);
    const cancelled = await x.request('POST', `/v1/deposits/${first.body.id}/cancel`, {
      token: buyer.token,
      key: key(),
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', instructions: null });
    const twice = await x.request('POST', `/v1/deposits/${first.body.id}/cancel`, {
      token: buyer.token,
      key: key(),
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('not_pending');
    const confirmCancelled = await x.request(
      'POST',
      `/v1/operator/deposits/${first.body.id}/confirm`,
      { token: operator, key: key() },
    );
    expect(confirmCancelled.status).toBe(409);

    const second = await transfer();
    const rejected = await x.request('POST', `/v1/operator/deposits/${second.body.id}/reject`, {
      token: operator,
      key: key(),
      body: { reason: 'no matching transfer after 7 days' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'refused',
      failure: { code: 'rejected', message: 'no matching transfer after 7 days' },
    });
    const confirmRejected = await x.request(
      'POST',
      `/v1/operator/deposits/${second.body.id}/confirm`,
      { token: operator, key: key() },
    );
    expect(confirmRejected.status).toBe(409);

    const card = await cardDeposit(buyer.token, good, '1000');
    const cancelCard = await x.request('POST', `/v1/deposits/${card.body.id}/cancel`, {
      token: buyer.token,
      key: key(),
    });
    expect(cancelCard.status).toBe(409);
    expect(await krw(buyer.token)).toBe('1000');
    const notes = await x.database.db
      .selectFrom('notifications')
      .select('type')
      .where('subscriber_id', '=', buyer.id)
      .orderBy('seq')
      .execute();
    expect(notes.map((n) => n.type)).toEqual([
      'deposit.pending',
      'deposit.cancelled',
      'deposit.pending',
      'deposit.refused',
      'deposit.succeeded',
    ]);
  });

  it('keeps deposits private and operator routes to operators', async () => {
    const owner = await x.signUp('person');
    const other = await x.signUp('person');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await cardDeposit(owner.token, good, String(1000 + i));
      ids.push(res.body.id);
      x.clock.advance(1000);
    }
    const page1 = await x.request('GET', '/v1/deposits?limit=2', { token: owner.token });
    expect(page1.body.deposits.map((d: { id: string }) => d.id)).toEqual([ids[2], ids[1]]);
    const page2 = await x.request('GET', `/v1/deposits?limit=2&before=${page1.body.nextBefore}`, {
      token: owner.token,
    });
    expect(page2.body.deposits.map((d: { id: string }) => d.id)).toEqual([ids[0]]);
    expect(page2.body.nextBefore).toBeNull();
    const foreignCursor = await x.request('GET', `/v1/deposits?before=${ids[0]}`, {
      token: other.token,
    });
    expect(foreignCursor.status).toBe(400);

    const theirs = await x.request('GET', `/v1/deposits/${ids[0]}`, { token: other.token });
    expect(theirs.status).toBe(404);
    const mine = await x.request('GET', '/v1/deposits', { token: other.token });
    expect(mine.body.deposits).toEqual([]);

    const pending = await x.request('POST', '/v1/deposits', {
      token: owner.token,
      key: key(),
      body: { method: 'bank_transfer', amount: '5000' },
    });
    const asPerson = [
      x.request('GET', '/v1/operator/deposits?status=pending', { token: owner.token }),
      x.request('POST', `/v1/operator/deposits/${pending.body.id}/confirm`, {
        token: owner.token,
        key: key(),
      }),
      x.request('POST', `/v1/operator/deposits/${pending.body.id}/reject`, {
        token: owner.token,
        key: key(),
        body: {},
      }),
      x.request('GET', '/v1/operator/withdrawals', { token: owner.token }),
    ];
    for (const res of await Promise.all(asPerson)) {
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    const noKey = await x.request('POST', `/v1/operator/deposits/${pending.body.id}/confirm`, {
      token: operator,
    });
    expect(noKey.status).toBe(400);
    const asOperator = await x.request('GET', '/v1/deposits', { token: operator });
    expect(asOperator.status).toBe(403);
    const still = await x.request('GET', `/v1/deposits/${pending.body.id}`, { token: owner.token });
    expect(still.body.status).toBe('pending');
    expect(await krw(owner.token)).toBe('3003');
  });

  it('holds a withdrawal, pays it out on approval, and restores it on rejection', async () => {
    const seller = await x.signUp('merchant');
    await x.fund(seller.accountId, 'KRW', 100_000n);
    const destination = { bank: 'Hana Bank', accountNumber: '110-123-456789', holder: 'Kim Minji' };
    const withdraw = (amount: string) => {
      // Queues are ordered by time; a tick apart keeps the expected order unambiguous.
      x.clock.advance(1);
      return x.request('POST', '/v1/withdrawals', {
        token: seller.token,
        key: key(),
        body: { amount, destination },
      });
    };
    const payoutsBefore = await houseBalance(houseAccounts.payouts);
    const bankBefore = await houseBalance(houseAccounts.bank);

    const first = await withdraw('30000');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'requested',
      amount: '30000',
      asset: 'KRW',
      destination: { bank: 'Hana Bank', accountNumber: '***-***-**6789', holder: 'Kim Minji' },
      settleEntryId: null,
    });
    expect(first.body).not.toHaveProperty('payoutAccountNumber');
    expect(await krw(seller.token)).toBe('70000');
    expect(await houseBalance(houseAccounts.payouts)).toBe(payoutsBefore + 30_000n);
    expect(await postingsOf(first.body.holdEntryId)).toEqual([
      { kind: 'withdrawal_hold', account: seller.accountId, asset: 'KRW', amount: '-30000' },
      { kind: 'withdrawal_hold', account: houseAccounts.payouts, asset: 'KRW', amount: '30000' },
    ]);

    const over = await withdraw('70001');
    expect(over.status).toBe(409);
    expect(over.body.error.code).toBe('insufficient_funds');
    const zero = await withdraw('0');
    expect(zero.status).toBe(400);

    const second = await withdraw('50000');
    expect(second.status).toBe(201);
    expect(await krw(seller.token)).toBe('20000');
    const spent = await withdraw('20001');
    expect(spent.status).toBe(409);

    const queue = await x.request('GET', '/v1/operator/withdrawals?status=requested', {
      token: operator,
    });
    const queued = queue.body.withdrawals.filter(
      (w: { subscriberId: string }) => w.subscriberId === seller.id,
    );
    expect(queued.map((w: { id: string }) => w.id)).toEqual([first.body.id, second.body.id]);
    expect(queued[0].payoutAccountNumber).toBe('110-123-456789');

    const approved = await x.request('POST', `/v1/operator/withdrawals/${first.body.id}/approve`, {
      token: operator,
      key: key(),
    });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('approved');
    expect(await postingsOf(approved.body.settleEntryId)).toEqual([
      { kind: 'withdrawal_payout', account: houseAccounts.bank, asset: 'KRW', amount: '30000' },
      { kind: 'withdrawal_payout', account: houseAccounts.payouts, asset: 'KRW', amount: '-30000' },
    ]);
    const approveAgain = await x.request(
      'POST',
      `/v1/operator/withdrawals/${first.body.id}/approve`,
      { token: operator, key: key() },
    );
    expect(approveAgain.status).toBe(409);
    expect(approveAgain.body.error.code).toBe('not_requested');
    const rejectApproved = await x.request(
      'POST',
      `/v1/operator/withdrawals/${first.body.id}/reject`,
      { token: operator, key: key(), body: {} },
    );
    expect(rejectApproved.status).toBe(409);

    const rejected = await x.request('POST', `/v1/operator/withdrawals/${second.body.id}/reject`, {
      token: operator,
      key: key(),
      body: { reason: 'account holder name does not match' },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
    expect(await krw(seller.token)).toBe('70000');
    expect(await postingsOf(rejected.body.settleEntryId)).toEqual([
      { kind: 'withdrawal_release', account: seller.accountId, asset: 'KRW', amount: '50000' },
      {
        kind: 'withdrawal_release',
        account: houseAccounts.payouts,
        asset: 'KRW',
        amount: '-50000',
      },
    ]);
    // Everything held was either paid out or released.
    expect(await houseBalance(houseAccounts.payouts)).toBe(payoutsBefore);
    expect(await houseBalance(houseAccounts.bank)).toBe(bankBefore + 30_000n);

    const mine = await x.request('GET', '/v1/withdrawals', { token: seller.token });
    expect(mine.body.withdrawals.map((w: { status: string }) => w.status).sort()).toEqual([
      'approved',
      'rejected',
    ]);
    expect(JSON.stringify(mine.body)).not.toContain('123-456789');
    const stranger = await x.signUp('person');
    const peek = await x.request('GET', `/v1/withdrawals/${first.body.id}`, {
      token: stranger.token,
    });
    expect(peek.status).toBe(404);
    const notes = await x.database.db
      .selectFrom('notifications')
      .select(['type', 'payload'])
      .where('subscriber_id', '=', seller.id)
      .orderBy('seq')
      .execute();
    expect(notes.map((n) => n.type)).toEqual([
      'withdrawal.requested',
      'withdrawal.requested',
      'withdrawal.approved',
      'withdrawal.rejected',
    ]);
    for (const note of notes) expect(note.payload).not.toContain('123-456789');
  });

  it('keeps no full card number anywhere in the database', async () => {
    const buyer = await x.signUp('person');
    const numbers = [...Object.keys(sandboxTestCards), '4111111111111111', '5555555555554444'];
    for (const number of numbers) await cardDeposit(buyer.token, { ...good, number });
    await cardDeposit(buyer.token, { ...good, number: '4242-4242-4242-4242' });
    const rows = await depositRows(buyer.id);
    expect(rows).toHaveLength(numbers.length + 1);
    const tables = [
      'deposits',
      'idempotency_keys',
      'notifications',
      'journal_entries',
      'postings',
      'webhook_deliveries',
    ] as const;
    for (const table of tables) {
      const dump = JSON.stringify(await x.database.db.selectFrom(table).selectAll().execute());
      for (const number of numbers) {
        expect(dump, table).not.toContain(number);
        expect(dump, table).not.toContain(number.slice(0, 12));
      }
      expect(dump, table).not.toContain('4242-4242-4242-4242');
    }
    const deposits = await x.database.db.selectFrom('deposits').selectAll().execute();
    for (const row of deposits) {
      if (row.card_last4 !== null) expect(row.card_last4).toMatch(/^[0-9]{4}$/);
    }
  });

  it('offers no sandbox in production and says so', async () => {
    const production = { ...x.exchange.config, environment: 'production' as const };
    expect(fiatProviders(production, x.clock)).toEqual({ card: null, bankTransfer: null });
    const sandboxed = fiatProviders(x.exchange.config, x.clock);
    expect(sandboxed.card?.sandbox).toBe(true);
    expect(sandboxed.card?.name).toMatch(/sandbox/);

    const app = await buildApp(x.exchange, [
      (app, exchange) => fiatRoutes(app, exchange, { card: null, bankTransfer: null }),
    ]);
    try {
      const buyer = await x.signUp('person');
      const res = await app.inject({
        method: 'POST',
        url: '/v1/deposits',
        headers: { authorization: `Bearer ${buyer.token}`, 'idempotency-key': key() },
        payload: { method: 'card', amount: '1000', card: good },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('method_unavailable');
      expect(await depositRows(buyer.id)).toHaveLength(0);
    } finally {
      await app.close();
    }
  });
});
