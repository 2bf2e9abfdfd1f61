/**
 * Both servers fail closed: with NODE_ENV unset they are in production, so they will not start
 * without their secrets, refuse every published development secret (naming the variable, never
 * printing the value) and every development-only switch. What each serves in production (no SMS
 * inbox, no card sandbox, no open sign-up, no demo data) is tested beside each server, in
 * services/<server>/test/production.test.ts, because it needs its database.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig as loadExchangeConfig } from '@tessera/exchange/src/config.ts';
import { ConfigError, developmentSecrets, publishedSecrets } from '@tessera/service-kit/config';
import { loadConfig as loadTicketingConfig } from '@tessera/ticketing/src/config.ts';
import { describe, expect, it } from 'vitest';
import { freePort } from '../free-port.ts';

interface Server {
  readonly name: string;
  readonly prefix: 'EXCHANGE' | 'TICKETING';
  readonly entry: string;
  // biome-ignore lint/suspicious/noExplicitAny: either server's configuration, read by name.
  loadConfig(env: NodeJS.ProcessEnv): Record<string, any>;
  /** Settings that must be off in production whatever the environment asks. */
  readonly offInProduction: string[];
  readonly secretKey: string;
  readonly operatorToken: string;
  /** Where a started server keeps its files, apart from its database. */
  readonly files: (dir: string) => Record<string, string>;
  /** Its development-only switches turned on, with a short key and token, and what it says. */
  readonly wrong: Record<string, string>;
  readonly problems: string[];
}

const servers: Server[] = [
  {
    name: 'the exchange',
    prefix: 'EXCHANGE',
    entry: fileURLToPath(new URL('../../services/exchange/src/server.ts', import.meta.url)),
    loadConfig: loadExchangeConfig,
    secretKey: developmentSecrets.exchangeSecretKey,
    operatorToken: developmentSecrets.exchangeOperatorToken,
    files: (dir) => ({ EXCHANGE_RATES_FILE: join(dir, 'rates.json') }),
    offInProduction: ['devEndpoints', 'webhookAllowPrivate'],
    wrong: {
      EXCHANGE_SECRET_KEY: randomBytes(16).toString('hex'),
      EXCHANGE_OPERATOR_TOKEN: 'short-operator-token',
      EXCHANGE_DEV_ENDPOINTS: 'true',
      EXCHANGE_WEBHOOK_ALLOW_PRIVATE: 'true',
      EXCHANGE_CORS_ORIGINS: 'http://app.example',
    },
    problems: [
      'EXCHANGE_SECRET_KEY must be 32 bytes, hex or base64',
      'EXCHANGE_OPERATOR_TOKEN must be at least 24 characters',
      'EXCHANGE_CORS_ORIGINS: "http://app.example" must be https in production',
      'EXCHANGE_DEV_ENDPOINTS cannot be on in production (the SMS inbox that serves sign-in codes is development-only)',
      'EXCHANGE_WEBHOOK_ALLOW_PRIVATE=true is refused in production: name the internal networks a receiver may be on in EXCHANGE_WEBHOOK_ALLOWED_NETWORKS instead',
    ],
  },
  {
    name: 'the ticketing server',
    prefix: 'TICKETING',
    entry: fileURLToPath(new URL('../../services/ticketing/src/server.ts', import.meta.url)),
    loadConfig: loadTicketingConfig,
    secretKey: developmentSecrets.ticketingSecretKey,
    operatorToken: developmentSecrets.ticketingOperatorToken,
    files: () => ({ TICKETING_WORKERS: 'false' }),
    offInProduction: ['devEndpoints', 'openOrganizerSignup'],
    wrong: {
      TICKETING_SECRET_KEY: randomBytes(31).toString('base64'),
      TICKETING_OPERATOR_TOKEN: 'short-operator-token',
      TICKETING_OPEN_ORGANIZER_SIGNUP: 'true',
      TICKETING_DEV_ENDPOINTS: 'true',
    },
    problems: [
      'TICKETING_SECRET_KEY must be 32 bytes, hex or base64',
      'TICKETING_OPERATOR_TOKEN must be at least 24 characters',
      'TICKETING_OPEN_ORGANIZER_SIGNUP cannot be on in production (open organizer sign-up is development-only)',
      'TICKETING_DEV_ENDPOINTS cannot be on in production (the SMS inbox that serves sign-in codes is development-only)',
    ],
  },
];

describe.each(servers)('$name in production', (server) => {
  const { prefix } = server;
  const secretNames = [`${prefix}_SECRET_KEY`, `${prefix}_OPERATOR_TOKEN`];

  /** What production needs, and nothing that asks for development. */
  const productionEnv = () => ({
    [`${prefix}_SECRET_KEY`]: randomBytes(32).toString('hex'),
    [`${prefix}_OPERATOR_TOKEN`]: randomBytes(24).toString('base64url'),
    [`${prefix}_SMS_URL`]: 'https://sms.example/send',
  });

  function problemsOf(env: NodeJS.ProcessEnv): string[] {
    try {
      server.loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    }
    return [];
  }

  /** Runs the server as an operator would, with only `env` (no NODE_ENV unless given). */
  async function start(env: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), `tessera-${prefix.toLowerCase()}-production-`));
    try {
      return spawnSync(process.execPath, ['--import', 'tsx', server.entry], {
        encoding: 'utf8',
        // A server that did start (the fault this test looks for) is stopped here.
        timeout: 30_000,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          [`${prefix}_PORT`]: String(await freePort()),
          [`${prefix}_SQLITE_PATH`]: join(dir, 'server.db'),
          ...server.files(dir),
          ...env,
        },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('is production with NODE_ENV unset, and refuses to start without its secrets', {
    timeout: 60_000,
  }, async () => {
    expect(server.loadConfig(productionEnv()).environment).toBe('production');
    const run = await start({});
    expect(run.status, run.stdout).toBe(2);
    for (const name of [...secretNames, `${prefix}_SMS_URL`]) {
      expect(run.stderr).toContain(`${name} is required in production`);
    }
  });

  it('refuses to start with a published development secret, naming it without printing it', {
    timeout: 60_000,
  }, async () => {
    const run = await start({
      ...productionEnv(),
      [`${prefix}_SECRET_KEY`]: server.secretKey,
      [`${prefix}_OPERATOR_TOKEN`]: server.operatorToken,
    });
    expect(run.status, run.stdout).toBe(2);
    for (const name of secretNames) {
      expect(run.stderr).toContain(`${name} is a published development default`);
    }
    expect(run.stderr + run.stdout).not.toContain(server.secretKey);
    expect(run.stderr + run.stdout).not.toContain(server.operatorToken);
  });

  it.each(publishedSecrets)('refuses the published default %s in every secret', (secret) => {
    for (const name of secretNames) {
      const problems = problemsOf({ ...productionEnv(), [name]: secret });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^${name} is a published development default`));
      expect(problems.join('\n')).not.toContain(secret);
    }
  });

  it('refuses short secrets and every development-only switch, all at once', () => {
    expect(problemsOf({ ...productionEnv(), ...server.wrong })).toEqual(server.problems);
    const config = server.loadConfig(productionEnv());
    for (const setting of server.offInProduction) expect(config[setting], setting).toBe(false);
  });
});
