/**
 * The merchant's webhook endpoint: where its notifications are POSTed, and the signing secret,
 * shown once when set and kept sealed. Removing it fails the deliveries still pending.
 */
import type { Exchange, Work } from '../context.ts';
import { badRequest } from '../errors.ts';
import { failPendingDeliveries, setWebhookEndpoint, webhookEndpointOf } from './repository.ts';
import { encryptSecret, newWebhookSecret } from './webhooks.ts';

/**
 * A webhook URL as it is stored: absolute http(s) (https in production), no credentials (GET
 * would show them back and they would end up in logs), no fragment, at most 500 characters,
 * and not aimed at a non-public address (checked again at every connection: see
 * webhook-transport.ts).
 */
async function webhookUrl(exchange: Exchange, raw: string): Promise<string> {
  const { config } = exchange;
  if (raw.length > 500) throw badRequest('invalid_url', 'url must be at most 500 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest('invalid_url', 'url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw badRequest('invalid_url', 'url must be an absolute http(s) URL');
  if (config.environment === 'production' && url.protocol !== 'https:')
    throw badRequest('https_required', 'webhook URLs must use https in production');
  // Credentials in the URL would be shown back by GET and end up in logs.
  if (url.username || url.password)
    throw badRequest('invalid_url', 'url must not contain a user name or password');
  url.hash = '';
  if (url.href.length > 500) throw badRequest('invalid_url', 'url must be at most 500 characters');
  const refusal = await exchange.webhooks.refusalOf(url);
  if (refusal) {
    throw badRequest(
      'private_address',
      `url must reach a public address: ${refusal.replace(/^refused: /, '')}`,
    );
  }
  return url.href;
}

/** The webhook URL and whether a signing secret is set (never the secret). */
export async function webhookOf(exchange: Exchange, subscriberId: string) {
  const endpoint = await webhookEndpointOf(exchange.database.db, subscriberId);
  return { url: endpoint.url, secretSet: endpoint.encryptedSecret !== null };
}

/**
 * Sets the URL and rotates the secret; answers the new secret, the only time it is shown.
 * Pending deliveries go to the new URL, signed with the new secret.
 */
export async function setWebhook(exchange: Exchange, subscriberId: string, raw: string) {
  const { config } = exchange;
  const url = await webhookUrl(exchange, raw);
  const secret = newWebhookSecret();
  await setWebhookEndpoint(exchange.database.db, subscriberId, {
    url,
    encryptedSecret: encryptSecret(config.secretKeys, secret, subscriberId),
  });
  return { url, secret, secretSet: true };
}

/** Removes the webhook; deliveries still pending become failed ("webhook removed"). */
export async function removeWebhook({ trx }: Work, subscriberId: string) {
  await setWebhookEndpoint(trx, subscriberId, { url: null, encryptedSecret: null });
  await failPendingDeliveries(trx, subscriberId, 'webhook removed');
  return { url: null, secretSet: false };
}
