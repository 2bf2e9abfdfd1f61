/**
 * Model-based test: random sequences of deposits, transfers, payment requests, payments,
 * refunds, clock moves and retries run against the real exchange and against a small reference
 * ledger in memory. After every step each wallet must match the model and the audit must pass.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLedger } from '../src/ledger/audit.ts';
import { formatAmount, parseAmount } from '../src/money.ts';
import { backends, key, startTestExchange, type TestExchange } from './harness.ts';

const assets = { KRW: 0, USDT: 6, ETH: 18 } as const;
type AssetCode = keyof typeof assets;

interface Party {
  token: string;
  id: string;
  accountId: string;
}

interface ModelRequest {
  id: string;
  asset: AssetCode;
  amount: bigint;
  expiresAt: number;
  paidBy?: number;
  refunded: bigint;
}

interface Model {
  /** balances[party][asset]; party 0..2 persons, 3 the merchant. */
  balances: Map<AssetCode, bigint>[];
  requests: ModelRequest[];
}

interface Real {
  x: TestExchange;
  parties: Party[];
}

const merchant = 3;
const balanceOf = (model: Model, party: number, asset: AssetCode) =>
  model.balances[party]?.get(asset) ?? 0n;
const adjust = (model: Model, party: number, asset: AssetCode, delta: bigint) =>
  model.balances[party]?.set(asset, balanceOf(model, party, asset) + delta);

/** Sends a request, and when `retry` is set sends it again with the same key: same answer. */
async function send(
  real: Real,
  method: string,
  url: string,
  token: string,
  body: unknown,
  retry: boolean,
) {
  const k = key();
  const first = await real.x.request(method, url, { token, key: k, body });
  if (retry) {
    const second = await real.x.request(method, url, { token, key: k, body });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
  }
  return first;
}

class Deposit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly party: number,
    readonly asset: AssetCode,
    readonly units: bigint,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await real.x.fund((real.parties[this.party] as Party).accountId, this.asset, this.units);
    adjust(model, this.party, this.asset, this.units);
  }
  toString = () => `deposit(${this.party}, ${this.units} ${this.asset})`;
}

/** Fiat in by the card sandbox, over HTTP: a good card credits, a refused one changes nothing. */
class CardDeposit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly party: number,
    readonly won: bigint,
    readonly card: string,
    readonly retry: boolean,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const response = await send(
      real,
      'POST',
      '/v1/deposits',
      (real.parties[this.party] as Party).token,
      {
        method: 'card',
        amount: this.won.toString(),
        card: { number: this.card, expMonth: 12, expYear: 2099, cvc: '123' },
      },
      this.retry,
    );
    if (this.card === '4242424242424242') {
      expect(response.status).toBe(201);
      adjust(model, this.party, 'KRW', this.won);
    } else {
      expect(response.status).toBe(402);
      expect(response.body.error.code).toBe('payment_method_refused');
    }
  }
  toString = () =>
    `card-deposit(${this.party}, ${this.won} KRW, ${this.card.slice(-4)}${this.retry ? ', retried' : ''})`;
}

/** Buy or sell at a quote, then execute it: the wallet moves by exactly what the quote said. */
class Trade implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly party: number,
    readonly side: 'buy' | 'sell',
    readonly asset: 'USDT' | 'ETH',
    readonly units: bigint,
    readonly retry: boolean,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const token = (real.parties[this.party] as Party).token;
    const quote = await send(
      real,
      'POST',
      '/v1/quotes',
      token,
      {
        side: this.side,
        asset: this.asset,
        cryptoAmount: formatAmount(this.units, assets[this.asset]),
      },
      this.retry,
    );
    if (quote.status === 400) {
      // Worth less than one won, or all fee: refused before anything is locked.
      expect(quote.body.error.code).toBe('amount_too_small');
      return;
    }
    expect(quote.status).toBe(201);
    const unit = (code: AssetCode) => ({ code, scale: assets[code], kind: 'crypto' as const });
    const fiat = parseAmount(quote.body.fiatAmount, unit('KRW'));
    const fee = parseAmount(quote.body.fee, unit('KRW'));
    const crypto = parseAmount(quote.body.cryptoAmount, unit(this.asset));
    expect(crypto).toBe(this.units);
    const executed = await send(
      real,
      'POST',
      `/v1/quotes/${quote.body.id}/execute`,
      token,
      undefined,
      this.retry,
    );
    const affordable =
      this.side === 'buy'
        ? balanceOf(model, this.party, 'KRW') >= fiat + fee
        : balanceOf(model, this.party, this.asset) >= crypto;
    if (!affordable) {
      expect(executed.status).toBe(409);
      expect(executed.body.error.code).toBe('insufficient_funds');
      return;
    }
    expect(executed.status).toBe(200);
    if (this.side === 'buy') {
      adjust(model, this.party, 'KRW', -(fiat + fee));
      adjust(model, this.party, this.asset, crypto);
    } else {
      adjust(model, this.party, this.asset, -crypto);
      adjust(model, this.party, 'KRW', fiat - fee);
    }
  }
  toString = () =>
    `${this.side}(${this.party}, ${this.units} ${this.asset}${this.retry ? ', retried' : ''})`;
}

class Transfer implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly from: number,
    readonly to: number,
    readonly asset: AssetCode,
    readonly units: bigint,
    readonly retry: boolean,
  ) {}
  check = () => this.from !== this.to;
  async run(model: Model, real: Real) {
    const from = real.parties[this.from] as Party;
    const to = real.parties[this.to] as Party;
    const response = await send(
      real,
      'POST',
      '/v1/transfers',
      from.token,
      {
        to: { subscriberId: to.id },
        asset: this.asset,
        amount: formatAmount(this.units, assets[this.asset]),
      },
      this.retry,
    );
    if (balanceOf(model, this.from, this.asset) >= this.units) {
      expect(response.status).toBe(201);
      adjust(model, this.from, this.asset, -this.units);
      adjust(model, this.to, this.asset, this.units);
    } else {
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('insufficient_funds');
    }
  }
  toString = () =>
    `transfer(${this.from}->${this.to}, ${this.units} ${this.asset}${this.retry ? ', retried' : ''})`;
}

class CreateRequest implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly asset: AssetCode,
    readonly units: bigint,
    readonly ttlS: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const response = await send(
      real,
      'POST',
      '/v1/payment-requests',
      (real.parties[merchant] as Party).token,
      {
        asset: this.asset,
        amount: formatAmount(this.units, assets[this.asset]),
        reference: `order-${model.requests.length}`,
        expiresInS: this.ttlS,
      },
      false,
    );
    expect(response.status).toBe(201);
    model.requests.push({
      id: response.body.id,
      asset: this.asset,
      amount: this.units,
      expiresAt: real.x.clock.now() + this.ttlS * 1000,
      refunded: 0n,
    });
  }
  toString = () => `request(${this.units} ${this.asset}, ${this.ttlS}s)`;
}

class Pay implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly payer: number,
    readonly pick: number,
    readonly retry: boolean,
  ) {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  async run(model: Model, real: Real) {
    const request = model.requests[this.pick % model.requests.length] as ModelRequest;
    const payer = real.parties[this.payer] as Party;
    const response = await send(
      real,
      'POST',
      `/v1/payment-requests/${request.id}/pay`,
      payer.token,
      undefined,
      this.retry,
    );
    if (request.paidBy !== undefined) {
      expect(response.body.error.code).toBe('already_paid');
    } else if (real.x.clock.now() >= request.expiresAt) {
      expect(response.body.error.code).toBe('request_expired');
    } else if (balanceOf(model, this.payer, request.asset) < request.amount) {
      expect(response.body.error.code).toBe('insufficient_funds');
    } else {
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('paid');
      request.paidBy = this.payer;
      adjust(model, this.payer, request.asset, -request.amount);
      adjust(model, merchant, request.asset, request.amount);
    }
  }
  toString = () => `pay(${this.payer}, #${this.pick}${this.retry ? ', retried' : ''})`;
}

class Refund implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    /** Parts per thousand of the payment; 0 means "the rest" (no amount sent). */
    readonly permille: number,
    readonly retry: boolean,
  ) {}
  check = (model: Readonly<Model>) => model.requests.length > 0;
  async run(model: Model, real: Real) {
    const request = model.requests[this.pick % model.requests.length] as ModelRequest;
    const units =
      this.permille === 0
        ? request.amount - request.refunded
        : (request.amount * BigInt(this.permille)) / 1000n;
    const body = this.permille === 0 ? {} : { amount: formatAmount(units, assets[request.asset]) };
    const response = await send(
      real,
      'POST',
      `/v1/payment-requests/${request.id}/refunds`,
      (real.parties[merchant] as Party).token,
      body,
      this.retry,
    );
    if (request.paidBy === undefined) {
      expect(response.body.error.code).toBe('not_paid');
    } else if (units <= 0n) {
      expect(response.status).toBeGreaterThanOrEqual(400);
    } else if (request.refunded + units > request.amount) {
      expect(response.body.error.code).toBe('refund_exceeds_payment');
    } else if (balanceOf(model, merchant, request.asset) < units) {
      expect(response.body.error.code).toBe('insufficient_funds');
    } else {
      expect(response.status).toBe(201);
      request.refunded += units;
      adjust(model, merchant, request.asset, -units);
      adjust(model, request.paidBy, request.asset, units);
    }
  }
  toString = () =>
    `refund(#${this.pick}, ${this.permille || 'rest'}‰${this.retry ? ', retried' : ''})`;
}

class ReuseKey implements fc.AsyncCommand<Model, Real> {
  constructor(readonly party: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    const from = real.parties[this.party] as Party;
    const toIndex = (this.party + 1) % 4;
    const to = real.parties[toIndex] as Party;
    const k = key();
    const body = { to: { subscriberId: to.id }, asset: 'USDT', amount: '0.000001' };
    const first = await real.x.request('POST', '/v1/transfers', {
      token: from.token,
      key: k,
      body,
    });
    const other = await real.x.request('POST', '/v1/transfers', {
      token: from.token,
      key: k,
      body: { ...body, amount: '0.000002' },
    });
    if (balanceOf(model, this.party, 'USDT') >= 1n) {
      expect(first.status).toBe(201);
      adjust(model, this.party, 'USDT', -1n);
      adjust(model, toIndex, 'USDT', 1n);
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('idempotency_conflict');
    } else {
      // A refused request stores nothing under its key, so the key is still free.
      expect(first.body.error.code).toBe('insufficient_funds');
      expect(other.body.error.code).toBe('insufficient_funds');
    }
  }
  toString = () => `reuse-key(${this.party})`;
}

class Tick implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_model: Model, real: Real) {
    real.x.clock.advance(this.ms);
  }
  toString = () => `tick(${this.ms}ms)`;
}

const party = fc.integer({ min: 0, max: 3 });
const asset = fc.constantFrom<AssetCode>('KRW', 'USDT', 'ETH');
// Small and huge amounts: ETH values past 2^63 wei exercise the exact amount columns.
const units = fc.oneof(
  fc.bigInt({ min: 1n, max: 5_000_000n }),
  fc.bigInt({ min: 10n ** 18n, max: 10n ** 27n }),
);
const commands = [
  fc
    .tuple(
      party,
      fc.constantFrom<'buy' | 'sell'>('buy', 'sell'),
      fc.constantFrom<'USDT' | 'ETH'>('USDT', 'ETH'),
      fc.oneof(
        fc.bigInt({ min: 1n, max: 50_000_000n }),
        fc.bigInt({ min: 10n ** 12n, max: 10n ** 18n }),
      ),
      fc.boolean(),
    )
    .map(([p, side, a, u, r]) => new Trade(p, side, a, u, r)),
  fc
    .tuple(
      party,
      fc.bigInt({ min: 1n, max: 10_000_000n }),
      fc.constantFrom('4242424242424242', '4000000000000002', '4000000000009995'),
      fc.boolean(),
    )
    .map(([p, won, card, r]) => new CardDeposit(p, won, card, r)),
  fc.tuple(party, asset, units).map(([p, a, u]) => new Deposit(p, a, u)),
  fc
    .tuple(party, party, asset, units, fc.boolean())
    .map(([f, t, a, u, r]) => new Transfer(f, t, a, u, r)),
  fc
    .tuple(asset, units, fc.integer({ min: 10, max: 120 }))
    .map(([a, u, s]) => new CreateRequest(a, u, s)),
  fc
    .tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.boolean())
    .map(([p, i, r]) => new Pay(p, i, r)),
  fc
    .tuple(fc.nat(), fc.integer({ min: 0, max: 700 }), fc.boolean())
    .map(([i, m, r]) => new Refund(i, m, r)),
  party.map((p) => new ReuseKey(p)),
  fc.integer({ min: 1_000, max: 90_000 }).map((ms) => new Tick(ms)),
];

describe.each(backends)('the ledger against a reference model on %s', (backend) => {
  let x: TestExchange;
  let parties: Party[];
  beforeAll(async () => {
    // Ticks move the clock by minutes; keep the test's rates usable throughout.
    x = await startTestExchange(backend, { EXCHANGE_RATE_MAX_AGE_S: '86400' });
    parties = [
      await x.signUp('person'),
      await x.signUp('person'),
      await x.signUp('person'),
      await x.signUp('merchant'),
    ];
  });
  afterAll(async () => {
    await x?.close();
  });

  async function realBalances() {
    const all: Map<AssetCode, bigint>[] = [];
    for (const p of parties) {
      const rows = await x.database.db
        .selectFrom('balances')
        .select(['asset', 'amount'])
        .where('account_id', '=', p.accountId)
        .execute();
      all.push(
        new Map(
          rows
            .filter((r) => r.asset in assets)
            .map((r) => [r.asset as AssetCode, BigInt(r.amount)]),
        ),
      );
    }
    return all;
  }

  it('keeps every invariant after every step', async () => {
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'max' }), async (cmds) => {
        // Each run starts from whatever the previous runs left: the model copies the real state.
        const setup = async () => ({
          model: { balances: await realBalances(), requests: [] },
          real: { x, parties },
        });
        const checked = [...cmds].map((command) => wrapWithChecks(command));
        await fc.asyncModelRun(setup, checked);
        steps += checked.length;
      }),
      { numRuns: 12, seed: Number(process.env.MODEL_SEED ?? 20261121) },
    );
    // The runs must have done real work, not been filtered down to nothing.
    expect(steps).toBeGreaterThan(150);
    const kinds = await x.database.db
      .selectFrom('journal_entries')
      .select('kind')
      .distinct()
      .execute();
    expect(kinds.map((row) => row.kind).sort()).toEqual([
      'deposit',
      'payment',
      'refund',
      'trade',
      'transfer',
    ]);
  });

  function wrapWithChecks(command: fc.AsyncCommand<Model, Real>): fc.AsyncCommand<Model, Real> {
    return {
      check: (model) => command.check(model),
      async run(model, real) {
        await command.run(model, real);
        const actual = await realBalances();
        for (let i = 0; i < parties.length; i++) {
          for (const code of Object.keys(assets) as AssetCode[]) {
            expect(actual[i]?.get(code) ?? 0n, `${command} party ${i} ${code}`).toBe(
              balanceOf(model, i, code),
            );
          }
        }
        const report = await auditLedger(x.database);
        expect(report.problems).toEqual([]);
      },
      toString: () => command.toString(),
    };
  }
});
