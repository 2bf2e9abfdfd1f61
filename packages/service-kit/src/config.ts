/**
 * Reading configuration from the environment once at start. Every problem is collected, so a
 * bad start lists every bad variable rather than the first; `finish()` throws them together.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export type Environment = 'production' | 'development' | 'test';

export class EnvReader {
  readonly problems: string[] = [];
  readonly environment: Environment;

  constructor(private readonly env: NodeJS.ProcessEnv) {
    const nodeEnv = this.read('NODE_ENV') ?? 'development';
    if (nodeEnv === 'production' || nodeEnv === 'test' || nodeEnv === 'development') {
      this.environment = nodeEnv;
    } else {
      this.environment = 'development';
      this.problems.push(`NODE_ENV must be production, development or test (got ${nodeEnv})`);
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

  /** A 32-byte key, hex or base64; required in production, a fixed development key otherwise. */
  secretKey(name: string, developmentKey: string): Buffer {
    const raw = this.read(name);
    if (raw === undefined) {
      if (this.production) {
        this.problems.push(`${name} is required in production (32 bytes, hex or base64)`);
      }
      return Buffer.from(developmentKey.padEnd(32, '.').slice(0, 32), 'utf8');
    }
    const decoded = /^[0-9a-f]{64}$/i.test(raw)
      ? Buffer.from(raw, 'hex')
      : Buffer.from(raw, 'base64');
    if (decoded.length !== 32) this.problems.push(`${name} must be 32 bytes, hex or base64`);
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

  /** A bearer token of at least 24 characters; required in production. */
  token(name: string, developmentToken: string): string {
    const raw = this.read(name);
    if (raw === undefined && this.production) {
      this.problems.push(`${name} is required in production`);
      return '';
    }
    const token = raw ?? developmentToken;
    if (token.length < 24) {
      this.problems.push(`${name} must be at least 24 characters`);
      return '';
    }
    return token;
  }

  origins(name: string): string[] {
    const origins = (this.read(name) ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    for (const origin of origins) {
      if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
        this.problems.push(`${name}: "${origin}" must be an origin such as https://app.example`);
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

  /** Development-only endpoints (the SMS inbox): on outside production, never in it. */
  devEndpoints(name: string): boolean {
    const raw = this.read(name);
    const on = raw === undefined ? !this.production : raw === 'true';
    if (on && this.production) this.problems.push(`${name} cannot be on in production`);
    return on;
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
