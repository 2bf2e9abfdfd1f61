/**
 * The ticketing server fails closed: with NODE_ENV unset it is in production, so it will not
 * start without its secrets, refuses every published development secret (naming the variable,
 * never printing the value) and every development-only switch, and has no SMS inbox, no open
 * organizer sign-up and no demo data.
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
import { demoEnrolmentCode, seedDemo } from '../src/demo.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

const server = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** What production needs, and nothing that asks for development. */
const productionEnv = () => ({
  TICKETING_SECRET_KEY: randomBytes(32).toString('base64'),
  TICKETING_OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
  TICKETING_SMS_URL: 'https://sms.example/send',
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
  const dir = mkdtempSync(join(tmpdir(), 'tessera-ticketing-production-'));
  try {
    return spawnSync(process.execPath, ['--import', 'tsx', server], {
      encoding: 'utf8',
      // A server that did start (the fault this test looks for) is stopped here.
      timeout: 30_000,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        TICKETING_PORT: String(await freePort()),
        TICKETING_SQLITE_PATH: join(dir, 'ticketing.db'),
        TICKETING_WORKERS: 'false',
        ...env,
      },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the ticketing server in production', () => {
  it('is production with NODE_ENV unset, and refuses to start without its secrets', {
    timeout: 60_000,
  }, async () => {
    expect(loadConfig(productionEnv()).environment).toBe('production');
    const run = await startServer({});
    expect(run.status, run.stdout).toBe(2);
    for (const name of ['TICKETING_SECRET_KEY', 'TICKETING_OPERATOR_TOKEN', 'TICKETING_SMS_URL']) {
      expect(run.stderr).toContain(`${name} is required in production`);
    }
  });

  it('refuses to start with a published development secret, naming it without printing it', {
    timeout: 60_000,
  }, async () => {
    const [secretKey, token] = [
      'tessera-ticketing-development-k',
      'dev-ticketing-operator-not-for-prod',
    ];
    const run = await startServer({
      ...productionEnv(),
      TICKETING_SECRET_KEY: secretKey,
      TICKETING_OPERATOR_TOKEN: token,
    });
    expect(run.status, run.stdout).toBe(2);
    expect(run.stderr).toContain('TICKETING_SECRET_KEY is a published development default');
    expect(run.stderr).toContain('TICKETING_OPERATOR_TOKEN is a published development default');
    expect(run.stderr + run.stdout).not.toContain(secretKey);
    expect(run.stderr + run.stdout).not.toContain(token);
  });

  it.each(publishedSecrets)('refuses the published default %s in every secret', (secret) => {
    for (const name of ['TICKETING_SECRET_KEY', 'TICKETING_OPERATOR_TOKEN']) {
      const problems = problemsOf({ ...productionEnv(), [name]: secret });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name} is a published development default`));
      expect(problems.join('\n')).not.toContain(secret);
    }
  });

  it('refuses short secrets and every development-only switch, all at once', () => {
    const problems = problemsOf({
      ...productionEnv(),
      TICKETING_SECRET_KEY: randomBytes(31).toString('base64'),
      TICKETING_OPERATOR_TOKEN: 'short-operator-token',
      TICKETING_OPEN_ORGANIZER_SIGNUP: 'true',
      TICKETING_DEV_ENDPOINTS: 'true',
    });
    expect(problems).toEqual([
      'TICKETING_SECRET_KEY must be 32 bytes, hex or base64',
      'TICKETING_OPERATOR_TOKEN must be at least 24 characters',
      'TICKETING_OPEN_ORGANIZER_SIGNUP cannot be on in production (open organizer sign-up is development-only)',
      'TICKETING_DEV_ENDPOINTS cannot be on in production (the SMS inbox that serves sign-in codes is development-only)',
    ]);
    const config = loadConfig(productionEnv());
    expect(config.devEndpoints).toBe(false);
    expect(config.openOrganizerSignup).toBe(false);
  });
});

describe.each(backends)('the ticketing server with NODE_ENV unset on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    // The harness asks for test; an empty NODE_ENV is the same as unset.
    s = await startTestSystem(backend, { NODE_ENV: '', ...productionEnv() });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('serves no SMS inbox and lets only the operator create organizers', async () => {
    expect(s.ticketing.config.environment).toBe('production');
    const inbox = await s.request('GET', '/dev/sms?phone=%2B821000000001');
    expect(inbox.status).toBe(404);
    const user = await s.signIn();
    const mine = await s.request('POST', '/v1/organizers', {
      token: user.token,
      body: { name: 'Self-made Promoter' },
    });
    expect(mine.status).toBe(403);
    expect(mine.body.error.code).toBe('organizer_signup_closed');
    const byOperator = await s.request('POST', '/v1/organizers', {
      token: s.ticketing.config.operatorToken,
      body: { name: 'Vetted Promoter', ownerPhone: user.phone },
    });
    expect(byOperator.status).toBe(201);
  });

  it('refuses to seed the demo or make its gate code', async () => {
    await expect(
      seedDemo(s.ticketing, { phone: '+821000000002', name: 'Demo' }, 'key'),
    ).rejects.toThrow('refused in production');
    await expect(demoEnrolmentCode(s.ticketing, '+821000000002')).rejects.toThrow(
      'refused in production',
    );
  });
});
