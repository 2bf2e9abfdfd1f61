/**
 * The exchange with NODE_ENV unset is in production and serves no SMS inbox, no card sandbox,
 * no sandbox bank account and no demo data.
 * That it refuses to start without its secrets, with a published one or with a development-only
 * switch is tested for both servers in scripts/test/fail-closed.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo.ts';
import { backends, key, startTestExchange, type TestExchange } from './harness.ts';

/** What production needs, and nothing that asks for development. */
const productionEnv = () => ({
  EXCHANGE_SECRET_KEY: randomBytes(32).toString('hex'),
  EXCHANGE_OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
  EXCHANGE_SMS_URL: 'https://sms.example/send',
});

describe.each(backends)('the exchange with NODE_ENV unset on %s', (backend) => {
  let x: TestExchange;
  beforeAll(async () => {
    // The harness asks for test; an empty NODE_ENV is the same as unset.
    x = await startTestExchange(backend, { NODE_ENV: '', ...productionEnv() });
  });
  afterAll(async () => {
    await x?.close();
  });

  it('serves no SMS inbox, no card sandbox and no sandbox bank account', async () => {
    expect(x.exchange.config.environment).toBe('production');
    const inbox = await x.request('GET', '/dev/sms?phone=%2B821000000001');
    expect(inbox.status).toBe(404);
    const buyer = await x.signUp('person');
    const card = await x.request('POST', '/v1/deposits', {
      token: buyer.token,
      key: key(),
      body: {
        method: 'card',
        amount: '50000',
        card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
      },
    });
    expect(card.status).toBe(400);
    expect(card.body.error.code).toBe('method_unavailable');
    const bank = await x.request('POST', '/v1/deposits', {
      token: buyer.token,
      key: key(),
      body: { method: 'bank_transfer', amount: '50000' },
    });
    expect(bank.status).toBe(400);
    expect(bank.body.error.code).toBe('method_unavailable');
    const wallet = await x.request('GET', '/v1/wallet', { token: buyer.token });
    const krw = wallet.body.balances.find((b: { asset: string }) => b.asset === 'KRW');
    expect(krw.amount).toBe('0');
  });

  it('refuses to seed the demo accounts', async () => {
    await expect(seedDemo(x.exchange)).rejects.toThrow('refused in production');
  });
});
