/**
 * Reading configuration from the environment once at start. Every problem is collected, so a
 * bad start lists every bad variable rather than the first; `finish()` throws them together.
 *
 * Fails closed: production is the default environment (`NODE_ENV` unset or empty), so a server
 * started without it needs real secrets and runs no development feature. Development and test
 * are only ever asked for (`npm start` and the test harnesses do). In production every secret is
 * required, at least its minimum length, not a published development default (`publishedSecrets`)
 * and not a placeholder (one character or byte repeated), and every development-only switch is
 * refused when turned on. Problems name the variable, never its value.
 */

import { isIP } from 'node:net';
import { type CodeLimits, defaultCodeLimits, developmentCodeLimits } from './phone-code-limits.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export type Environment = 'production' | 'development' | 'test';

/**
 * Every secret and token default published in this code base (the development defaults the
 * servers fall back to outside production). Anyone can read them here, so production refuses
 * each of them, in any secret variable, raw or as the key it stands for.
 */
export const developmentSecrets = {
  ticketingSecretKey: 'tessera-ticketing-development-k',
  ticketingOperatorToken: 'dev-ticketing-operator-not-for-prod',
  exchangeSecretKey: 'tessera-exchange-development-key',
  exchangeOperatorToken: 'dev-operator-token-not-for-production',
} as const;

/** The published defaults as one list (see `developmentSecrets`). */
export const publishedSecrets: readonly string[] = Object.values(developmentSecrets);

/** The 32-byte key a development key string stands for (padded with dots, cut at 32). */
export function developmentKeyBytes(developmentKey: string): Buffer {
  return Buffer.from(developmentKey.padEnd(32, '.').slice(0, 32), 'utf8');
}

const publishedKeys = publishedSecrets.map(developmentKeyBytes);

/** Whether a value is a published default, give or take surrounding white space and case. */
function isPublished(value: string): boolean {
  const normalized = value.trim().toLowerCase();
  return publishedSecrets.some((secret) => secret.toLowerCase() === normalized);
}

/** Minimum length of a bearer token (operator tokens). */
export const minimumTokenLength = 24;

export class EnvReader {
  readonly problems: string[] = [];
  readonly environment: Environment;

  constructor(private readonly env: NodeJS.ProcessEnv) {
    // Unset means production: development and test must be asked for by name.
    const nodeEnv = this.read('NODE_ENV') ?? 'production';
    if (nodeEnv === 'production' || nodeEnv === 'test' || nodeEnv === 'development') {
      this.environment = nodeEnv;
    } else {
      // A typo (`prod`, `Production`) fails closed: production's checks apply, and it is refused.
      this.environment = 'production';
      this.problems.push(
        `NODE_ENV must be production, development or test (got ${JSON.stringify(nodeEnv)})`,
      );
    }
  }

  get production() {
    return this.environment === 'production';
  }

  /** The value, or undefined when unset or empty. */
  read(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(
        `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`,
      );
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.read(name);
    if (raw === undefined) return fallback;
    if (raw !== 'true' && raw !== 'false') {
      this.problems.push(`${name} must be true or false (got ${JSON.stringify(raw)})`);
      return fallback;
    }
    return raw === 'true';
  }

  httpUrl(name: string, fallback: string): string {
    const value = this.read(name) ?? fallback;
    if (!/^https?:\/\/[^\s]+$/.test(value)) this.problems.push(`${name} must be an http(s) URL`);
    return value.replace(/\/$/, '');
  }

  /**
   * A 32-byte key, hex or base64. Required in production, where a published development key
   * (raw or encoded) or a key of one repeated byte is refused; a fixed development key otherwise.
   */
  secretKey(name: string, developmentKey: string): Buffer {
    const raw = this.read(name);
    if (raw === undefined) {
      if (this.production) {
        this.problems.push(`${name} is required in production (32 bytes, hex or base64)`);
      }
      return developmentKeyBytes(developmentKey);
    }
    const decoded = /^[0-9a-f]{64}$/i.test(raw)
      ? Buffer.from(raw, 'hex')
      : Buffer.from(raw, 'base64');
    if (this.production && isPublished(raw)) {
      this.problems.push(`${name} is a published development default; set a random key`);
    } else if (decoded.length !== 32) {
      this.problems.push(`${name} must be 32 bytes, hex or base64`);
    } else if (this.production && publishedKeys.some((key) => key.equals(decoded))) {
      this.problems.push(`${name} is a published development key; set a random key`);
    } else if (this.production && decoded.every((byte) => byte === decoded[0])) {
      this.problems.push(`${name} is a placeholder (one byte repeated); set a random key`);
    }
    return decoded;
  }

  /**
   * Keys the secret key replaced, still needed to open what they sealed until the rotation
   * command has sealed it again: comma-separated, each 32 bytes, hex or base64. None by default.
   */
  previousSecretKeys(name: string): Buffer[] {
    const raw = this.read(name);
    if (raw === undefined) return [];
    const keys: Buffer[] = [];
    for (const [index, text] of raw.split(',').entries()) {
      const trimmed = text.trim();
      const decoded = /^[0-9a-f]{64}$/i.test(trimmed)
        ? Buffer.from(trimmed, 'hex')
        : Buffer.from(trimmed, 'base64');
      if (decoded.length === 32) keys.push(decoded);
      else this.problems.push(`${name}: key ${index + 1} must be 32 bytes, hex or base64`);
    }
    return keys;
  }

  /**
   * A bearer token of at least 24 characters. Required in production, where a published default
   * or a placeholder (one character repeated) is refused.
   */
  token(name: string, developmentToken: string): string {
    const raw = this.read(name);
    if (raw === undefined && this.production) {
      this.problems.push(`${name} is required in production`);
      return '';
    }
    const token = raw ?? developmentToken;
    if (this.production && isPublished(token)) {
      this.problems.push(`${name} is a published development default; set a random token`);
      return '';
    }
    if (token.length < minimumTokenLength) {
      this.problems.push(`${name} must be at least ${minimumTokenLength} characters`);
      return '';
    }
    if (this.production && [...token].every((char) => char === token[0])) {
      this.problems.push(`${name} is a placeholder (one character repeated); set a random token`);
      return '';
    }
    return token;
  }

  /**
   * A switch for a development-only feature: on by default outside production, off in it, and
   * refused when turned on there (the start fails rather than run it).
   */
  developmentOnly(name: string, what: string): boolean {
    const on = this.boolean(name, !this.production);
    if (on && this.production) {
      this.problems.push(`${name} cannot be on in production (${what} is development-only)`);
    }
    return on;
  }

  origins(name: string): string[] {
    const origins = (this.read(name) ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    for (const origin of origins) {
      if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
        this.problems.push(`${name}: "${origin}" must be an origin such as https://app.example`);
      } else if (this.production && !origin.startsWith('https://')) {
        this.problems.push(`${name}: "${origin}" must be https in production`);
      }
    }
    return origins;
  }

  databaseUrl(): string | undefined {
    const url = this.read('DATABASE_URL');
    if (url !== undefined && !/^postgres(ql)?:\/\//.test(url)) {
      this.problems.push('DATABASE_URL must be a postgres:// URL (leave it unset for SQLite)');
    }
    return url;
  }

  /**
   * `TRUSTED_PROXIES`: the load balancers and reverse proxies whose `X-Forwarded-For` is
   * believed, comma-separated addresses or CIDRs (`10.0.0.0/8`, `fd00::/8`) or proxy-addr's names
   * `loopback`, `linklocal`, `uniquelocal`. Unset: none (the socket's peer is the client).
   */
  trustedProxies(): string[] {
    const entries = (this.read('TRUSTED_PROXIES') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const entry of entries) {
      if (!isProxyEntry(entry)) {
        this.problems.push(
          `TRUSTED_PROXIES: "${entry}" must be an IP address, a CIDR (10.0.0.0/8) or loopback, linklocal, uniquelocal`,
        );
      }
    }
    return entries;
  }

  /** `REDIS_URL`: keep rate-limit buckets in Redis rather than the database. */
  redisUrl(): string | undefined {
    const url = this.read('REDIS_URL');
    if (url !== undefined && !/^rediss?:\/\/[^\s]+$/.test(url)) {
      this.problems.push('REDIS_URL must be a redis:// or rediss:// URL');
    }
    return url;
  }

  /**
   * Where rate-limit buckets live and who the client is: `TRUSTED_PROXIES`, `REDIS_URL`,
   * `REDIS_PREFIX` (default `tessera:`; the server's name follows it).
   */
  rateLimitStorage(server: string) {
    return {
      trustedProxies: this.trustedProxies(),
      redisUrl: this.redisUrl(),
      redisPrefix: `${this.read('REDIS_PREFIX') ?? 'tessera:'}${server}:`,
    };
  }

  /**
   * How many sign-in codes may be sent (phone-code-limits.ts): `<PREFIX>_CODES_PER_PHONE_DAY`,
   * `<PREFIX>_CODES_PER_ADDRESS_HOUR`, `<PREFIX>_CODES_PER_PREFIX_HOUR`. Development starts from
   * `developmentCodeLimits`, so the demo accounts are not locked out; production and test from
   * `defaultCodeLimits`.
   */
  codeLimits(prefix: string): CodeLimits {
    const d = this.environment === 'development' ? developmentCodeLimits : defaultCodeLimits;
    return {
      ...d,
      perPhonePerDay: this.integer(`${prefix}_CODES_PER_PHONE_DAY`, d.perPhonePerDay, 1, 1_000),
      perAddressPerHour: this.integer(
        `${prefix}_CODES_PER_ADDRESS_HOUR`,
        d.perAddressPerHour,
        1,
        1_000_000,
      ),
      perPrefixPerHour: this.integer(
        `${prefix}_CODES_PER_PREFIX_HOUR`,
        d.perPrefixPerHour,
        1,
        1_000_000,
      ),
    };
  }

  /** Development-only endpoints (the SMS inbox): on outside production, refused in it. */
  devEndpoints(name: string): boolean {
    return this.developmentOnly(name, 'the SMS inbox that serves sign-in codes');
  }

  /**
   * The SMS gateway (`<PREFIX>_SMS_URL`, optional `<PREFIX>_SMS_TOKEN`). Required in production:
   * the development sender writes every message, sign-in codes included, to the log.
   */
  sms(prefix: string): { smsUrl: string | undefined; smsToken: string | undefined } {
    const url = this.read(`${prefix}_SMS_URL`);
    if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url)) {
      this.problems.push(`${prefix}_SMS_URL must be an http(s) URL`);
    } else if (url === undefined && this.production) {
      this.problems.push(`${prefix}_SMS_URL is required in production (the SMS gateway)`);
    } else if (url !== undefined && this.production && !isHttpsOrLoopback(url)) {
      // Sign-in codes travel in it: in the clear only to a relay on this machine.
      this.problems.push(`${prefix}_SMS_URL must be https in production (or a loopback relay)`);
    }
    return { smsUrl: url, smsToken: this.read(`${prefix}_SMS_TOKEN`) };
  }

  logLevel(): LogLevel {
    const level = (this.read('LOG_LEVEL') ??
      (this.environment === 'test' ? 'silent' : 'info')) as LogLevel;
    if (!['fatal', 'error', 'warn', 'info', 'debug', 'silent'].includes(level)) {
      this.problems.push('LOG_LEVEL must be fatal, error, warn, info, debug or silent');
    }
    return level;
  }

  /** Throws every problem found so far, or returns `value`. */
  finish<T>(value: T): T {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return value;
  }
}

/** https, or http to this machine (a relay beside the server). */
function isHttpsOrLoopback(url: string): boolean {
  if (url.startsWith('https://')) return true;
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/**
 * The warning a server logs at start outside production: development and test use published
 * secrets and serve the SMS inbox, so they are for this machine only; worse when listening on
 * another address than loopback. Undefined in production.
 */
export function environmentWarning(config: {
  readonly environment: Environment;
  readonly host: string;
}): string | undefined {
  if (config.environment === 'production') return undefined;
  const loopback =
    config.host === 'localhost' || config.host === '::1' || /^127\./.test(config.host);
  return `NODE_ENV=${config.environment}: published development secrets and development-only features (SMS inbox, card sandbox, open organizer sign-up) are on${loopback ? '' : `, and this server listens on ${config.host}, beyond this machine`}; never use it for real users (unset NODE_ENV for production)`;
}

function isProxyEntry(entry: string) {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}
