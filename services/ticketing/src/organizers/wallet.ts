/**
 * Unit 114, e-wallet information: the organizer's merchant account at the exchange. Linking
 * checks the API key with the exchange, points the merchant's webhook at this server, allows the
 * mobile app as a return address for the hosted buy page, and keeps the API key and the webhook
 * secret sealed at rest, bound to the organizer.
 */
import { badRequest, conflict } from '@tessera/service-kit/errors';
import { openSecret, sealSecret } from '@tessera/service-kit/secret-box';
import type { Ticketing } from '../context.ts';
import { ExchangeError } from '../exchange-client.ts';
import { upsertWalletLink, walletLinkOf } from './repository.ts';

export interface LinkedWallet {
  readonly merchantId: string;
  readonly merchantName: string;
  readonly apiKey: string;
  readonly webhookSecret: string;
}

export const webhookPath = (organizerId: string) => `/v1/exchange/webhooks/${organizerId}`;

/**
 * Unsealed links, kept a minute. Linking forgets the organizer's on every instance before the
 * answer.
 */
const walletTtlMs = 60_000;

function walletCache(ticketing: Ticketing) {
  return ticketing.caches.cache<LinkedWallet>(
    'wallets',
    { ttlMs: walletTtlMs, max: 10_000 },
    async (organizerId) => {
      const row = await walletLinkOf(ticketing.database.db, organizerId);
      if (!row) return undefined;
      const key = ticketing.config.secretKeys;
      return {
        merchantId: row.merchant_id,
        merchantName: row.merchant_name,
        apiKey: openSecret(key, row.api_key, `exchange-api-key:${organizerId}`),
        webhookSecret: openSecret(
          key,
          row.webhook_secret,
          `exchange-webhook-secret:${organizerId}`,
        ),
      };
    },
  );
}

export async function linkWallet(ticketing: Ticketing, organizerId: string, apiKey: string) {
  const client = ticketing.exchange;
  let merchant: { id: string; kind: string; displayName: string };
  try {
    merchant = await client.whoAmI(apiKey);
  } catch (error) {
    if (error instanceof ExchangeError && error.exchangeStatus === 401) {
      throw badRequest('invalid_api_key', 'the exchange does not accept this API key');
    }
    throw error;
  }
  if (merchant.kind !== 'merchant') {
    throw badRequest('not_a_merchant', 'the key belongs to a person account; use a merchant key');
  }
  const { secret } = await client.setWebhook(
    apiKey,
    `${ticketing.config.publicUrl}${webhookPath(organizerId)}`,
  );
  await client.setReturnUrls(apiKey, [`${ticketing.config.mobileAppUrl}/`]);
  const key = ticketing.config.secretKeys;
  const row = {
    organizer_id: organizerId,
    merchant_id: merchant.id,
    merchant_name: merchant.displayName,
    api_key: sealSecret(key, apiKey, `exchange-api-key:${organizerId}`),
    webhook_secret: sealSecret(key, secret, `exchange-webhook-secret:${organizerId}`),
    linked_at: ticketing.clock.now(),
  };
  await upsertWalletLink(ticketing.database.db, row);
  await walletCache(ticketing).invalidate(organizerId);
  return { merchantId: merchant.id, merchantName: merchant.displayName, linkedAt: row.linked_at };
}

/** The organizer's linked wallet, unsealed once a minute; 409 wallet_not_linked without one. */
export async function walletOf(ticketing: Ticketing, organizerId: string): Promise<LinkedWallet> {
  const wallet = await walletCache(ticketing).get(organizerId);
  if (!wallet) {
    throw conflict('wallet_not_linked', 'the organizer has not linked its exchange wallet yet');
  }
  return wallet;
}
