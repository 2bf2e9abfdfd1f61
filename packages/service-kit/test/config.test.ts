/**
 * The configuration reader fails closed: production unless development or test is asked for by
 * name, and in production no published default, short or placeholder secret, and no
 * development-only switch. Problems name the variable and never print the secret.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  developmentKeyBytes,
  developmentSecrets,
  EnvReader,
  environmentWarning,
  publishedSecrets,
} from '../src/config.ts';

/** Reads one key and one token the way the servers do, and returns the problems. */
function problemsOf(env: NodeJS.ProcessEnv) {
  const reader = new EnvReader(env);
  reader.secretKey('X_SECRET_KEY', developmentSecrets.exchangeSecretKey);
  reader.token('X_OPERATOR_TOKEN', developmentSecrets.exchangeOperatorToken);
  return reader.problems;
}

const goodKey = () => randomBytes(32).toString('hex');
const goodToken = () => randomBytes(24).toString('base64url');

describe('EnvReader', () => {
  it('is production when NODE_ENV is unset or empty, and development or test only by name', () => {
    expect(new EnvReader({}).environment).toBe('production');
    expect(new EnvReader({ NODE_ENV: '' }).environment).toBe('production');
    expect(new EnvReader({ NODE_ENV: 'development' }).environment).toBe('development');
    expect(new EnvReader({ NODE_ENV: 'test' }).environment).toBe('test');
    // A typo is refused, and meanwhile production's checks apply.
    const typo = new EnvReader({ NODE_ENV: 'prod' });
    expect(typo.environment).toBe('production');
    expect(typo.problems.join('\n')).toContain('NODE_ENV');
  });

  it('requires every secret in production when NODE_ENV is unset', () => {
    const problems = problemsOf({}).join('\n');
    expect(problems).toContain('X_SECRET_KEY is required in production');
    expect(problems).toContain('X_OPERATOR_TOKEN is required in production');
    expect(problemsOf({ X_SECRET_KEY: goodKey(), X_OPERATOR_TOKEN: goodToken() })).toEqual([]);
  });

  it('lists the published development defaults in one place', () => {
    expect([...publishedSecrets].sort()).toEqual(
      [
        'dev-operator-token-not-for-production',
        'dev-ticketing-operator-not-for-prod',
        'tessera-exchange-development-key',
        'tessera-ticketing-development-k',
      ].sort(),
    );
  });

  describe.each(publishedSecrets)('in production, the published default %s', (secret) => {
    const forms = {
      raw: secret,
      'as hex': developmentKeyBytes(secret).toString('hex'),
      'as base64': developmentKeyBytes(secret).toString('base64'),
    };
    it.each(Object.entries(forms))(
      'is refused as a secret key (%s), naming the variable only',
      (_, value) => {
        const problems = problemsOf({ X_SECRET_KEY: value, X_OPERATOR_TOKEN: goodToken() });
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^X_SECRET_KEY is a published development (default|key)/);
        expect(problems[0]).not.toContain(value);
        expect(problems[0]).not.toContain(secret);
      },
    );

    it('is refused as a token, naming the variable only, also padded or in capitals', () => {
      for (const token of [secret, ` ${secret}\n`, secret.toUpperCase()]) {
        const problems = problemsOf({ X_SECRET_KEY: goodKey(), X_OPERATOR_TOKEN: token });
        expect(problems).toEqual([
          'X_OPERATOR_TOKEN is a published development default; set a random token',
        ]);
      }
    });

    it('is still the default outside production', () => {
      for (const NODE_ENV of ['development', 'test']) {
        expect(problemsOf({ NODE_ENV })).toEqual([]);
      }
    });
  });

  it('refuses short secrets and placeholders in production, without printing them', () => {
    const short = 'short-token-23-chars-xx';
    const placeholderToken = 'x'.repeat(40);
    const problems = problemsOf({ X_SECRET_KEY: '00'.repeat(32), X_OPERATOR_TOKEN: short });
    expect(problems).toEqual([
      'X_SECRET_KEY is a placeholder (one byte repeated); set a random key',
      'X_OPERATOR_TOKEN must be at least 24 characters',
    ]);
    expect(problemsOf({ X_SECRET_KEY: 'ab'.repeat(16), X_OPERATOR_TOKEN: goodToken() })).toEqual([
      'X_SECRET_KEY must be 32 bytes, hex or base64',
    ]);
    const placeholder = problemsOf({ X_SECRET_KEY: goodKey(), X_OPERATOR_TOKEN: placeholderToken });
    expect(placeholder).toEqual([
      'X_OPERATOR_TOKEN is a placeholder (one character repeated); set a random token',
    ]);
    // The message of the whole error carries no secret either.
    const error = new ConfigError(problems);
    expect(error.message).not.toContain(short);
  });

  it('refuses a development-only switch turned on in production, and keeps it off by default', () => {
    const production = new EnvReader({ X_SANDBOX: 'true' });
    expect(production.developmentOnly('X_SANDBOX', 'the sandbox')).toBe(true);
    expect(production.problems).toEqual([
      'X_SANDBOX cannot be on in production (the sandbox is development-only)',
    ]);
    const unset = new EnvReader({});
    expect(unset.developmentOnly('X_SANDBOX', 'the sandbox')).toBe(false);
    expect(unset.devEndpoints('X_DEV_ENDPOINTS')).toBe(false);
    expect(unset.problems).toEqual([]);
    const development = new EnvReader({ NODE_ENV: 'development' });
    expect(development.developmentOnly('X_SANDBOX', 'the sandbox')).toBe(true);
    expect(development.devEndpoints('X_DEV_ENDPOINTS')).toBe(true);
    // A value that is not true or false is refused rather than read as off.
    const odd = new EnvReader({ NODE_ENV: 'development', X_DEV_ENDPOINTS: 'yes' });
    odd.devEndpoints('X_DEV_ENDPOINTS');
    expect(odd.problems.join('\n')).toContain('X_DEV_ENDPOINTS must be true or false');
  });

  it('wants https origins and an https (or loopback) SMS gateway in production', () => {
    const reader = new EnvReader({
      X_CORS_ORIGINS: 'https://app.example,http://app.example',
      X_SMS_URL: 'http://sms.example/send',
    });
    expect(reader.origins('X_CORS_ORIGINS')).toHaveLength(2);
    reader.sms('X');
    expect(reader.problems).toEqual([
      'X_CORS_ORIGINS: "http://app.example" must be https in production',
      'X_SMS_URL must be https in production (or a loopback relay)',
    ]);
    const relay = new EnvReader({ X_SMS_URL: 'http://127.0.0.1:9000/send' });
    relay.sms('X');
    expect(relay.problems).toEqual([]);
    const development = new EnvReader({
      NODE_ENV: 'development',
      X_CORS_ORIGINS: 'http://127.0.0.1:4300',
    });
    development.origins('X_CORS_ORIGINS');
    expect(development.problems).toEqual([]);
  });

  it('has a server warn at start when it is not in production, louder off loopback', () => {
    expect(environmentWarning({ environment: 'production', host: '0.0.0.0' })).toBeUndefined();
    const local = environmentWarning({ environment: 'development', host: '127.0.0.1' });
    expect(local).toContain('NODE_ENV=development');
    expect(local).not.toContain('beyond this machine');
    expect(environmentWarning({ environment: 'test', host: '0.0.0.0' })).toContain(
      'listens on 0.0.0.0, beyond this machine',
    );
  });
});
