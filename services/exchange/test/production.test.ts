/**
 * The exchange fails closed: with NODE_ENV unset it is in production, so it will not start
 * without its secrets, refuses every published development secret (naming the variable, never
 * printing the value) and every development-only switch, and has no SMS inbox, no card sandbox,
 * no sandbox bank account and no demo data.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, publishedSecrets } from '@tessera/service-kit/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../scripts/free-port.ts';
import { loadConfig } from '../src/config.ts';
import { seedDemo } from '../src/demo.ts';
import { backends, key, startTestExchange, type TestExchange } from './harness.ts';

const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** What production needs, and nothing that asks for development. */
const productionEnv = () => ({
  EXCHANGE_SECRET_KEY: randomBytes(32).toString('hex'),
  EXCHANGE_OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
  EXCHANGE_SMS_URL: 'https://sms.example/send',
});

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

/** Runs the server as an operator would, with only `env` (no NODE_ENV unless given). */
async function startServer(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-exchange-production-'));
  try {
    return spawnSync(process.execPath, ['--import', 'tsx', server], {
      encoding: 'utf8',
      // A server that did start (the fault this test looks for) is stopped here.
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        EXCHANGE_PORT: String(await freePort()),
        EXCHANGE_SQLITE_PATH: join(dir, 'exchange.db'),
        EXCHANGE_RATES_FILE: join(dir, 'rates.json'),
        ...env,
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the exchange in production', () => {
  it('is production with NODE_ENV unset, and refuses to start without its secrets', {
    timeout: 60_000,
  }, async () => {
    expect(loadConfig(productionEnv()).environment).toBe('production');
    const run = await startServer({});
    expect(run.status, run.stdout).toBe(2);
    for (const name of ['EXCHANGE_SECRET_KEY', 'EXCHANGE_OPERATOR_TOKEN', 'EXCHANGE_SMS_URL']) {
      expect(run.stderr).toContain(`${name} is required in production`);
    }
  });

  it('refuses to start with a published development secret, naming it without printing it', {
    timeout: 60_000,
  }, async () => {
    const [secretKey, token] = [
      'tessera-exchange-development-key',
      'dev-operator-token-not-for-production',
    ];
    const run = await startServer({
      ...productionEnv(),
      EXCHANGE_SECRET_KEY: secretKey,
      EXCHANGE_OPERATOR_TOKEN: token,
    });
    expect(run.status, run.stdout).toBe(2);
    expect(run.stderr).toContain('EXCHANGE_SECRET_KEY is a published development default');
    expect(run.stderr).toContain('EXCHANGE_OPERATOR_TOKEN is a published development default');
    expect(run.stderr + run.stdout).not.toContain(secretKey);
    expect(run.stderr + run.stdout).not.toContain(token);
  });

  it.each(publishedSecrets)('refuses the published default %s in every secret', (secret) => {
    for (const name of ['EXCHANGE_SECRET_KEY', 'EXCHANGE_OPERATOR_TOKEN']) {
      const problems = problemsOf({ ...productionEnv(), [name]: secret });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name} is a published development default`));
      expect(problems.join('\n')).not.toContain(secret);
    }
  });

  it('refuses short secrets and every development-only switch, all at once', () => {
    const problems = problemsOf({
      ...productionEnv(),
      EXCHANGE_SECRET_KEY: randomBytes(16).toString('hex'),
      EXCHANGE_OPERATOR_TOKEN: 'short-operator-token',
      EXCHANGE_DEV_ENDPOINTS: 'true',
      EXCHANGE_WEBHOOK_ALLOW_PRIVATE: 'true',
      EXCHANGE_CORS_ORIGINS: 'http://app.example',
    });
    expect(problems).toEqual([
      'EXCHANGE_SECRET_KEY must be 32 bytes, hex or base64',
      'EXCHANGE_OPERATOR_TOKEN must be at least 24 characters',
      'EXCHANGE_CORS_ORIGINS: "http://app.example" must be https in production',
      'EXCHANGE_DEV_ENDPOINTS cannot be on in production (the SMS inbox that serves sign-in codes is development-only)',
      'EXCHANGE_WEBHOOK_ALLOW_PRIVATE=true is refused in production: name the internal networks a receiver may be on in EXCHANGE_WEBHOOK_ALLOWED_NETWORKS instead',
    ]);
    const config = loadConfig(productionEnv());
    expect(config.devEndpoints).toBe(false);
    expect(config.webhookAllowPrivate).toBe(false);
  });
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
