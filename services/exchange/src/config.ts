/**
 * Configuration, read once at start from the environment and validated. A bad value fails the
 * start with a list of every bad variable, not just the first.
 */
import { ConfigError, developmentSecrets, EnvReader } from '@tessera/service-kit/config';
import type { LogLevel } from '@tessera/service-kit/http';
import type { CodeLimits } from '@tessera/service-kit/phone-code-limits';
import { SecretKeys } from '@tessera/service-kit/secret-box';
import type { Asset } from './money.ts';
import { invalidNetworks } from './notifications/address-policy.ts';

export interface ExchangeConfig {
  readonly environment: 'production' | 'development' | 'test';
  readonly host: string;
  readonly port: number;
  /** The URL browsers reach this server at (the hosted buy page links to itself with it). */
  readonly publicUrl: string;
  readonly databaseUrl: string | undefined;
  readonly sqlitePath: string;
  readonly fiat: Asset;
  readonly cryptoAssets: readonly Asset[];
  /** 32 bytes: encrypts webhook secrets at rest. */
  readonly secretKey: Buffer;
  /**
   * What seals secrets at rest: the secret key, which seals, and the keys it replaced
   * (`EXCHANGE_SECRET_KEY_PREVIOUS`), which still open what they sealed until `npm run
   * rotate-secrets` has sealed it again under the current key.
   */
  readonly secretKeys: SecretKeys;
  /** Bearer token for operator routes (confirm bank deposits, approve withdrawals). */
  readonly operatorToken: string;
  readonly rateSource:
    | { readonly kind: 'file'; readonly path: string }
    | { readonly kind: 'ticker'; readonly url: string };
  readonly rateMaxAgeS: number;
  readonly spreadBps: number;
  readonly feeBps: number;
  readonly quoteTtlS: number;
  readonly sessionTtlS: number;
  /** Sign-in codes, sign-ins and API key creation allowed per client address per minute. */
  readonly authRateLimitPerMinute: number;
  /** Proxies whose X-Forwarded-For names the client (TRUSTED_PROXIES); none by default. */
  readonly trustedProxies: readonly string[];
  /** Rate-limit buckets in Redis (REDIS_URL) rather than the database. */
  readonly redisUrl: string | undefined;
  readonly redisPrefix: string;
  /** How many sign-in codes may be sent per phone, client address and number prefix. */
  readonly codeLimits: CodeLimits;
  readonly corsOrigins: readonly string[];
  /** Where sign-in codes go: an HTTP SMS gateway; unset (not in production): the development inbox. */
  readonly smsUrl: string | undefined;
  readonly smsToken: string | undefined;
  /** The development SMS inbox endpoint; never on in production. */
  readonly devEndpoints: boolean;
  readonly webhookMaxAttempts: number;
  readonly webhookTimeoutMs: number;
  /** Webhook requests in flight at once, and deliveries claimed per round. */
  readonly webhookConcurrency: number;
  readonly webhookBatch: number;
  /**
   * Added to a delivery batch's worst-case sending time to make its lease: how long a delivery a
   * crashed worker was sending waits before another worker takes it over.
   */
  readonly webhookLeaseMarginMs: number;
  /**
   * Whether webhooks may go to private, loopback or link-local addresses: on by default only in
   * development (local demos), may be set in tests, refused in production, so a merchant cannot
   * aim the exchange at its own internal network (SSRF).
   */
  readonly webhookAllowPrivate: boolean;
  /**
   * Non-public networks (CIDRs) webhooks may still reach, named one by one: a receiver the
   * operator runs on an internal network, or a test receiver on 127.0.0.1/32.
   */
  readonly webhookAllowedNetworks: readonly string[];
  /** Run the outbox and expiry workers in this process. */
  readonly workers: boolean;
  readonly logLevel: LogLevel;
}

export { ConfigError };

/**
 * What the ledger audit needs (`npm run audit`): the database and the assets, no secret. It
 * only reads the journal, so it runs in any environment without the server's secrets.
 */
export function loadLedgerConfig(env: NodeJS.ProcessEnv = process.env) {
  const reader = new EnvReader(env);
  const databaseUrl = reader.databaseUrl();
  const sqlitePath = reader.read('EXCHANGE_SQLITE_PATH') ?? 'data/exchange.db';
  return reader.finish({ databaseUrl, sqlitePath, ...readAssets(reader) });
}

function readAssets(reader: EnvReader): { fiat: Asset; cryptoAssets: Asset[] } {
  const { problems } = reader;
  const read = (name: string) => reader.read(name);
  const fiatCode = read('EXCHANGE_FIAT') ?? 'KRW';
  if (!/^[A-Z]{3}$/.test(fiatCode))
    problems.push('EXCHANGE_FIAT must be an ISO 4217 code such as KRW');
  const fiat: Asset = {
    code: fiatCode,
    scale: reader.integer('EXCHANGE_FIAT_SCALE', 0, 0, 4),
    kind: 'fiat',
  };
  const cryptoAssets: Asset[] = [];
  for (const item of (read('EXCHANGE_ASSETS') ?? 'BTC:8,ETH:18,USDT:6').split(',')) {
    const match = /^([A-Z][A-Z0-9]{1,9}):([0-9]{1,2})$/.exec(item.trim());
    const scale = match ? Number(match[2]) : -1;
    if (!match || scale > 18 || match[1] === fiatCode) {
      problems.push(`EXCHANGE_ASSETS: "${item}" must be CODE:SCALE with a scale of 0 to 18`);
      continue;
    }
    if (cryptoAssets.some((asset) => asset.code === match[1])) {
      problems.push(`EXCHANGE_ASSETS: ${match[1]} is listed twice`);
      continue;
    }
    cryptoAssets.push({ code: match[1] as string, scale, kind: 'crypto' });
  }

  return { fiat, cryptoAssets };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ExchangeConfig {
  const reader = new EnvReader(env);
  const { problems, environment } = reader;
  const read = (name: string) => reader.read(name);
  const integer = reader.integer.bind(reader);

  const host = read('EXCHANGE_HOST') ?? '127.0.0.1';
  const port = integer('EXCHANGE_PORT', 4100, 0, 65_535);
  const publicUrl = reader.httpUrl('EXCHANGE_PUBLIC_URL', `http://${host}:${port}`);
  const databaseUrl = reader.databaseUrl();

  const { fiat, cryptoAssets } = readAssets(reader);

  const secretKey = reader.secretKey('EXCHANGE_SECRET_KEY', developmentSecrets.exchangeSecretKey);
  const operatorToken = reader.token(
    'EXCHANGE_OPERATOR_TOKEN',
    developmentSecrets.exchangeOperatorToken,
  );

  const sourceKind = read('EXCHANGE_RATE_SOURCE') ?? 'file';
  let rateSource: ExchangeConfig['rateSource'] = {
    kind: 'file',
    path: read('EXCHANGE_RATES_FILE') ?? 'data/rates.json',
  };
  if (sourceKind === 'ticker') {
    const url = read('EXCHANGE_TICKER_URL');
    if (!url || !/^https?:\/\//.test(url)) {
      problems.push('EXCHANGE_TICKER_URL must be an http(s) URL when EXCHANGE_RATE_SOURCE=ticker');
    } else rateSource = { kind: 'ticker', url };
  } else if (sourceKind !== 'file') {
    problems.push('EXCHANGE_RATE_SOURCE must be file or ticker');
  }

  const corsOrigins = reader.origins('EXCHANGE_CORS_ORIGINS');
  const devEndpoints = reader.devEndpoints('EXCHANGE_DEV_ENDPOINTS');
  const logLevel = reader.logLevel();

  const config: ExchangeConfig = {
    environment,
    host,
    port,
    publicUrl,
    databaseUrl,
    sqlitePath: read('EXCHANGE_SQLITE_PATH') ?? 'data/exchange.db',
    fiat,
    cryptoAssets,
    secretKey,
    secretKeys: new SecretKeys(
      secretKey,
      reader.previousSecretKeys('EXCHANGE_SECRET_KEY_PREVIOUS'),
    ),
    operatorToken,
    rateSource,
    rateMaxAgeS: integer('EXCHANGE_RATE_MAX_AGE_S', 300, 1, 86_400),
    spreadBps: integer('EXCHANGE_SPREAD_BPS', 50, 0, 2_000),
    feeBps: integer('EXCHANGE_FEE_BPS', 10, 0, 1_000),
    quoteTtlS: integer('EXCHANGE_QUOTE_TTL_S', 30, 5, 600),
    authRateLimitPerMinute: integer('EXCHANGE_AUTH_RATE_LIMIT', 30, 1, 1_000_000),
    ...reader.rateLimitStorage('exchange'),
    codeLimits: reader.codeLimits('EXCHANGE'),
    sessionTtlS: integer('EXCHANGE_SESSION_TTL_S', 7 * 86_400, 60, 90 * 86_400),
    corsOrigins,
    devEndpoints,
    ...reader.sms('EXCHANGE'),
    webhookMaxAttempts: integer('EXCHANGE_WEBHOOK_MAX_ATTEMPTS', 12, 1, 50),
    webhookTimeoutMs: integer('EXCHANGE_WEBHOOK_TIMEOUT_MS', 5_000, 100, 60_000),
    webhookConcurrency: integer('EXCHANGE_WEBHOOK_CONCURRENCY', 32, 1, 512),
    webhookBatch: integer('EXCHANGE_WEBHOOK_BATCH', 128, 1, 1_000),
    webhookLeaseMarginMs: integer('EXCHANGE_WEBHOOK_LEASE_MARGIN_MS', 60_000, 1_000, 600_000),
    ...webhookTargets(reader),
    workers: reader.boolean('EXCHANGE_WORKERS', true),
    logLevel,
  };
  return reader.finish(config);
}

/**
 * Where webhooks may go. Private targets are allowed wholesale only when the environment is
 * explicitly development (or a test asks for it); production refuses the switch outright, and
 * names any internal receiver network in EXCHANGE_WEBHOOK_ALLOWED_NETWORKS instead.
 */
function webhookTargets(reader: EnvReader) {
  const development = reader.environment === 'development';
  const webhookAllowPrivate = reader.boolean('EXCHANGE_WEBHOOK_ALLOW_PRIVATE', development);
  if (webhookAllowPrivate && reader.environment === 'production') {
    reader.problems.push(
      'EXCHANGE_WEBHOOK_ALLOW_PRIVATE=true is refused in production: name the internal ' +
        'networks a receiver may be on in EXCHANGE_WEBHOOK_ALLOWED_NETWORKS instead',
    );
  }
  const webhookAllowedNetworks = (reader.read('EXCHANGE_WEBHOOK_ALLOWED_NETWORKS') ?? '')
    .split(',')
    .map((cidr) => cidr.trim())
    .filter(Boolean);
  for (const bad of invalidNetworks(webhookAllowedNetworks)) {
    reader.problems.push(
      `EXCHANGE_WEBHOOK_ALLOWED_NETWORKS: "${bad}" must be a CIDR such as 10.1.2.0/24`,
    );
  }
  return { webhookAllowPrivate, webhookAllowedNetworks };
}
