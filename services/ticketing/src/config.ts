/**
 * The ticketing server's configuration, read once at start from the environment and validated;
 * a bad value fails the start with every bad variable listed. See docs/ticketing.md.
 */

import {
  manualCodeIterationsDefault,
  manualCodeIterationsMax,
  manualCodeIterationsMin,
} from '@tessera/protocol';
import {
  ConfigError,
  developmentSecrets,
  type Environment,
  EnvReader,
} from '@tessera/service-kit/config';
import type { LogLevel } from '@tessera/service-kit/http';
import type { CodeLimits } from '@tessera/service-kit/phone-code-limits';
import { SecretKeys } from '@tessera/service-kit/secret-box';
import { breakerDefaults } from './exchange-breaker.ts';
import { holdToOrderS, holdTtlMinS, orderPayWindowMinS } from './orders/pay-window.ts';

export { ConfigError };

/**
 * What one buyer may hold unpaid of one performance at a time, and the cool-downs that keep an
 * account from holding seats away from everyone else (docs/ticketing.md, "Hold limits").
 */
export interface HoldLimits {
  /** Unpaid tickets (in active and ordered holds) per buyer and performance. */
  readonly tickets: number;
  /** And at most this share of the performance's capacity (never fewer than one ticket). */
  readonly sharePercent: number;
  /** No new hold of the performance for this long after one ran out unpaid (0: none). */
  readonly cooldownS: number;
  /** The buyer's this-many-th hold let go in a row (each within a cool-down) starts one too. */
  readonly releasesBeforeCooldown: number;
}

export interface TicketingConfig {
  readonly environment: Environment;
  readonly host: string;
  readonly port: number;
  /** Where browsers and the exchange reach this server (webhook and return URLs use it). */
  readonly publicUrl: string;
  /** The exchange's API, as this server calls it. */
  readonly exchangeUrl: string;
  /** The exchange as browsers reach it (the hosted buy page link). */
  readonly exchangePublicUrl: string;
  /**
   * How long one call to the exchange may take, and the circuit breaker on them
   * (exchange-breaker.ts): failures in a row that open it, and how long it stays open.
   */
  readonly exchangeCalls: { timeoutMs: number; failureThreshold: number; openMs: number };
  readonly databaseUrl: string | undefined;
  /**
   * The PostgreSQL schema of the ticketing tables, so both servers can share one database
   * (the exchange's tables stay in `public`).
   */
  readonly databaseSchema: string;
  readonly sqlitePath: string;
  /** 32 bytes: seals organizer signing keys, exchange API keys, webhook secrets and PINs. */
  readonly secretKey: Buffer;
  /**
   * What seals secrets at rest: the secret key, which seals, and the keys it replaced
   * (`TICKETING_SECRET_KEY_PREVIOUS`), which still open what they sealed until `npm run
   * rotate-secrets` has sealed it again under the current key.
   */
  readonly secretKeys: SecretKeys;
  /** Bearer token of the platform operator (creates organizers when sign-up is closed). */
  readonly operatorToken: string;
  /**
   * Whether any signed-in user may create an organizer (and become its owner). Development only:
   * in production the operator creates organizers.
   */
  readonly openOrganizerSignup: boolean;
  readonly sessionTtlS: number;
  /** How long seats or quota stay held for a buyer. */
  readonly holdTtlS: number;
  /**
   * How long before the hold ends the exchange's payment request expires, so a payment can never
   * land after its seats were let go (the exchange refuses to pay an expired request).
   */
  readonly paymentMarginS: number;
  readonly holdLimits: HoldLimits;
  readonly authRateLimitPerMinute: number;
  /** Proxies whose X-Forwarded-For names the client (TRUSTED_PROXIES); none by default. */
  readonly trustedProxies: readonly string[];
  /** Rate-limit buckets in Redis (REDIS_URL) rather than the database. */
  readonly redisUrl: string | undefined;
  readonly redisPrefix: string;
  /** How many sign-in codes may be sent per phone, client address and number prefix. */
  readonly codeLimits: CodeLimits;
  readonly corsOrigins: readonly string[];
  /** Where the mobile app lives, for the buy page's return URL back to an order. */
  readonly mobileAppUrl: string;
  readonly devEndpoints: boolean;
  /** Where sign-in codes go: an HTTP SMS gateway; unset (not in production): the development inbox. */
  readonly smsUrl: string | undefined;
  readonly smsToken: string | undefined;
  /** Run the hold-expiry, reconciliation and refund workers in this process. */
  readonly workers: boolean;
  /**
   * PBKDF2 iterations of the salted PIN hashes in the terminals' event packages (seed 001's
   * manual codes checked offline). More makes a stolen terminal slower at guessing PINs and the
   * server slower at making the records (about 8 ms per record at the protocol's default).
   */
  readonly manualCodeIterations: number;
  readonly logLevel: LogLevel;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TicketingConfig {
  const reader = new EnvReader(env);
  const host = reader.read('TICKETING_HOST') ?? '127.0.0.1';
  const port = reader.integer('TICKETING_PORT', 4200, 0, 65_535);
  const publicUrl = reader.httpUrl('TICKETING_PUBLIC_URL', `http://${host}:${port}`);
  const exchangeUrl = reader.httpUrl('TICKETING_EXCHANGE_URL', 'http://127.0.0.1:4100');
  const holdTtlS = reader.integer('TICKETING_HOLD_TTL_S', 600, 60, 3_600);
  const paymentMarginS = reader.integer('TICKETING_PAYMENT_MARGIN_S', 30, 5, 600);
  const secretKey = reader.secretKey('TICKETING_SECRET_KEY', developmentSecrets.ticketingSecretKey);
  // An order needs more than orderPayWindowMinS left to pay once the margin is taken off the
  // hold, and the buyer some time to place it: a shorter hold is accepted by each range alone,
  // yet every order then fails with hold_expiring.
  if (holdTtlS < holdTtlMinS(paymentMarginS)) {
    reader.problems.push(
      `TICKETING_HOLD_TTL_S=${holdTtlS} is too short for TICKETING_PAYMENT_MARGIN_S=${paymentMarginS}: ` +
        `an order needs more than ${orderPayWindowMinS} s left to pay after the margin, and ` +
        `${holdToOrderS} s to be placed after the hold, so every order would fail (hold_expiring). ` +
        `Set TICKETING_HOLD_TTL_S to at least ${holdTtlMinS(paymentMarginS)} or lower the margin.`,
    );
  }
  return reader.finish({
    environment: reader.environment,
    host,
    port,
    publicUrl,
    exchangeUrl,
    exchangePublicUrl: reader.httpUrl('TICKETING_EXCHANGE_PUBLIC_URL', exchangeUrl),
    exchangeCalls: {
      timeoutMs: reader.integer('TICKETING_EXCHANGE_TIMEOUT_MS', 10_000, 500, 120_000),
      failureThreshold: reader.integer(
        'TICKETING_EXCHANGE_BREAKER_FAILURES',
        breakerDefaults.failureThreshold,
        1,
        1_000,
      ),
      openMs: reader.integer(
        'TICKETING_EXCHANGE_BREAKER_OPEN_MS',
        breakerDefaults.openMs,
        100,
        600_000,
      ),
    },
    databaseUrl: reader.databaseUrl(),
    databaseSchema: schemaName(reader),
    sqlitePath: reader.read('TICKETING_SQLITE_PATH') ?? 'data/ticketing.db',
    secretKey,
    secretKeys: new SecretKeys(
      secretKey,
      reader.previousSecretKeys('TICKETING_SECRET_KEY_PREVIOUS'),
    ),
    operatorToken: reader.token(
      'TICKETING_OPERATOR_TOKEN',
      developmentSecrets.ticketingOperatorToken,
    ),
    openOrganizerSignup: reader.developmentOnly(
      'TICKETING_OPEN_ORGANIZER_SIGNUP',
      'open organizer sign-up',
    ),
    sessionTtlS: reader.integer('TICKETING_SESSION_TTL_S', 30 * 86_400, 60, 365 * 86_400),
    holdTtlS,
    paymentMarginS,
    holdLimits: {
      tickets: reader.integer('TICKETING_HOLD_LIMIT', 10, 1, 1_000),
      sharePercent: reader.integer('TICKETING_HOLD_SHARE_PERCENT', 25, 1, 100),
      cooldownS: reader.integer('TICKETING_HOLD_COOLDOWN_S', 600, 0, 86_400),
      releasesBeforeCooldown: reader.integer('TICKETING_HOLD_RELEASES', 3, 1, 1_000),
    },
    authRateLimitPerMinute: reader.integer('TICKETING_AUTH_RATE_LIMIT', 30, 1, 1_000_000),
    ...reader.rateLimitStorage('ticketing'),
    codeLimits: reader.codeLimits('TICKETING'),
    corsOrigins: reader.origins('TICKETING_CORS_ORIGINS'),
    mobileAppUrl: reader.httpUrl('TICKETING_MOBILE_APP_URL', 'http://127.0.0.1:4300'),
    devEndpoints: reader.devEndpoints('TICKETING_DEV_ENDPOINTS'),
    ...reader.sms('TICKETING'),
    workers: reader.boolean('TICKETING_WORKERS', true),
    manualCodeIterations: reader.integer(
      'TICKETING_MANUAL_CODE_ITERATIONS',
      manualCodeIterationsDefault,
      manualCodeIterationsMin,
      manualCodeIterationsMax,
    ),
    logLevel: reader.logLevel(),
  });
}

function schemaName(reader: EnvReader) {
  const name = reader.read('TICKETING_DATABASE_SCHEMA') ?? 'ticketing';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    reader.problems.push('TICKETING_DATABASE_SCHEMA must be a lower-case SQL name');
  }
  return name;
}
