/**
 * Webhook signatures, shared by the exchange (which signs) and the ticketing server (which
 * verifies), following the Standard Webhooks specification (https://www.standardwebhooks.com):
 *
 *   webhook-id: <event id>
 *   webhook-timestamp: <unix seconds>
 *   webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<raw body>")>
 *
 * The key is the base64-decoded part of the secret after `whsec_`. The HMAC is computed by the
 * npm `standardwebhooks` package (the specification's reference implementation, pure JavaScript,
 * no install scripts), so what we send is what a merchant's off-the-shelf verifier expects.
 *
 * Legacy secrets. Before Standard Webhooks, secrets were `whsec_` + base64url of 32 bytes (43
 * characters, never valid padded base64), the HMAC key was the whole secret string and the
 * signature went in `Tessera-Signature: t=<s>,v1=<hex HMAC(secret, "<t>.<raw body>")>`. For such a
 * secret the standard headers are signed with the secret string's bytes as the key (what
 * `new Webhook(secret, { format: 'raw' })` uses), and the legacy headers are sent as well, until
 * the merchant rotates (any `PUT /v1/merchant/webhook`) to a standard secret.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const idHeader = 'webhook-id';
export const timestampHeader = 'webhook-timestamp';
export const signatureHeader = 'webhook-signature';
/** Sent only for legacy secrets, during the migration (see the module comment). */
export const legacySignatureHeader = 'Tessera-Signature';
export const legacyEventIdHeader = 'Tessera-Event-Id';

/** The tolerance on `webhook-timestamp` either way, the same as the reference library's. */
export const toleranceS = 300;

/** A new signing secret: `whsec_` and standard base64 of 32 random bytes (the spec's format). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

const standardSecret = /^whsec_(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * True for a Standard Webhooks secret (`whsec_` + padded base64 of 24 to 64 bytes); false for a
 * legacy one (base64url, 43 characters: never a multiple of 4, so never mistaken for one).
 */
export function isStandardSecret(secret: string): boolean {
  if (!standardSecret.test(secret)) return false;
  const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

/** The reference library's signer for a secret: base64 key, or the legacy string's bytes. */
export function webhookFor(secret: string): Webhook {
  return isStandardSecret(secret) ? new Webhook(secret) : new Webhook(secret, { format: 'raw' });
}

/** The legacy `Tessera-Signature` value (hex HMAC with the whole secret string as the key). */
export function legacySignature(secret: string, timestampS: number, rawBody: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.`).update(rawBody).digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

/**
 * The signature headers of one delivery: the standard three, plus the legacy two while the
 * subscriber still holds a legacy secret.
 */
export function webhookHeaders(
  secret: string,
  eventId: string,
  timestampS: number,
  rawBody: string,
): Record<string, string> {
  const headers: Record<string, string> = {
    [idHeader]: eventId,
    [timestampHeader]: String(timestampS),
    [signatureHeader]: webhookFor(secret).sign(eventId, new Date(timestampS * 1000), rawBody),
  };
  if (!isStandardSecret(secret)) {
    headers[legacySignatureHeader] = legacySignature(secret, timestampS, rawBody);
    headers[legacyEventIdHeader] = eventId;
  }
  return headers;
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

function single(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Verifies a delivery as `Webhook.verify` of `standardwebhooks` does (same headers, same HMAC
 * computed by the library's `sign`, any of the space-separated `v1,` signatures may match, 5
 * minutes either way), but against the caller's clock `nowS`: the library reads `Date.now()`,
 * which the servers' injected clocks (and the tests' manual ones) cannot reach. Headers are
 * lower-case, as Node gives them. A test checks that both agree.
 */
export function verifyWebhook(
  secret: string,
  headers: Headers,
  rawBody: string | Buffer,
  nowS: number,
): boolean {
  const id = single(headers, idHeader);
  const timestamp = single(headers, timestampHeader);
  const signatures = single(headers, signatureHeader);
  if (!id || !timestamp || !signatures || signatures.length > 2000) return false;
  if (!/^[0-9]{1,12}$/.test(timestamp)) return false;
  const timestampS = Number(timestamp);
  if (Math.abs(nowS - timestampS) > toleranceS) return false;
  const expected = Buffer.from(
    webhookFor(secret).sign(id, new Date(timestampS * 1000), rawBody),
    'utf8',
  );
  let matched = false;
  // Every candidate is compared, in constant time each, without stopping early.
  for (const candidate of signatures.split(' ')) {
    const given = Buffer.from(candidate, 'utf8');
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}
