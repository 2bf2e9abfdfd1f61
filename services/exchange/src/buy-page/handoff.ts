/**
 * Carrying the buyer's wallet session from the app to the hosted buy page (issue 21, item 12),
 * so a buyer already signed in to the exchange in the app is not asked for a phone and a new
 * SMS code again.
 *
 * Why a handoff code, and not the session itself or a cookie: the app holds its exchange session
 * as a bearer token in its own storage (apps/mobile wallet-connect.tsx), on the app's origin,
 * not the exchange's, so there is no exchange cookie to share; and a token in the page's URL
 * would land in history, server logs and Referer headers, and live as long as the session. So:
 *
 * 1. the app, with its session, POSTs `/v1/buy-page/handoffs` naming the merchant of the buy
 *    link and gets a random 256-bit code, valid for 60 s, usable once, kept only as its SHA-256;
 * 2. the app opens the buy page with the code in the URL *fragment* (`#handoff=…`), which the
 *    browser never sends to any server nor puts in a Referer; the page's script reads it, drops
 *    it from the address bar and history at once, and POSTs it to `/v1/buy-page/handoffs/redeem`;
 * 3. the exchange spends the code and answers a session of the page's own, which ends with the
 *    app's session and within the hour; the app's token never leaves the app.
 *
 * A code someone copied is worth little: it is bound to one wallet and one merchant (a code
 * offered on another merchant's page is spent and refused), single use, gone in 60 s, and
 * worthless once the app's session ends. Minting is limited per wallet (a few live at once) and
 * redeeming per client address.
 */

import { createSession, type SubscriberPrincipal, sha256 } from '../accounts/auth.ts';
import { liveSession, subscriberById } from '../accounts/repository.ts';
import type { Exchange } from '../context.ts';
import { ApiError, notFound, rateLimited } from '../errors.ts';
import { newSecret } from '../ids.ts';
import {
  buyHandoffByHash,
  buyPageMerchant,
  insertBuyHandoff,
  liveBuyHandoffCount,
  pruneBuyHandoffs,
  useBuyHandoff,
} from './repository.ts';

/** How long a handoff code lives: the app opens the page at once. */
export const handoffTtlMs = 60_000;
/** Live (unused, unexpired) codes a wallet may hold at once. */
export const handoffsLiveMax = 5;
/** The page's session lasts at most this long (and never beyond the app's). */
export const pageSessionMaxMs = 3_600_000;

/** Mints a handoff code for the caller's wallet session and one merchant's buy page. */
export async function mintHandoff(
  exchange: Exchange,
  me: SubscriberPrincipal,
  sessionToken: string,
  merchantId: string,
): Promise<{ code: string; expiresAt: number }> {
  if (me.via !== 'session') throw new ApiError(403, 'forbidden', 'sign in to hand a session on');
  const { db } = exchange.database;
  const now = exchange.clock.now();
  const merchant = await buyPageMerchant(db, merchantId);
  if (merchant?.kind !== 'merchant' || merchant.status !== 'active') throw notFound('merchant');
  await pruneBuyHandoffs(db, now - 86_400_000);
  if ((await liveBuyHandoffCount(db, me.id, now)) >= handoffsLiveMax) {
    throw rateLimited(handoffTtlMs / 1000, 'too many buy page handoffs at once; wait a minute');
  }
  const code = newSecret('xh');
  const expiresAt = now + handoffTtlMs;
  await insertBuyHandoff(db, {
    code_hash: sha256(code),
    subscriber_id: me.id,
    session_hash: sha256(sessionToken),
    merchant_id: merchant.id,
    created_at: now,
    expires_at: expiresAt,
    used_at: null,
  });
  return { code, expiresAt };
}

/**
 * Spends a handoff code on `merchantId`'s buy page: a new session for the wallet that minted it.
 * Unknown: 404; used: 409 handoff_used; expired, or the app's session has ended: 410
 * handoff_expired; another merchant's page: 403 handoff_wrong_merchant (and the code is spent).
 */
export async function redeemHandoff(exchange: Exchange, code: string, merchantId: string) {
  const { db, dialect } = exchange.database;
  const now = exchange.clock.now();
  const hash = sha256(code);
  const row = await buyHandoffByHash(db, hash);
  if (!row) throw notFound('handoff code');
  if (row.used_at !== null) throw new ApiError(409, 'handoff_used', 'this handoff code was used');
  if (now >= row.expires_at) {
    throw new ApiError(410, 'handoff_expired', 'this handoff code has expired; sign in instead');
  }
  // Spent before anything else is checked: a code shown to the wrong page is gone.
  if (!(await useBuyHandoff(db, hash, now))) {
    throw new ApiError(409, 'handoff_used', 'this handoff code was used');
  }
  if (row.merchant_id !== merchantId) {
    throw new ApiError(
      403,
      'handoff_wrong_merchant',
      "this handoff code was made for another merchant's page",
    );
  }
  const minted = await liveSession(db, dialect, row.session_hash, now);
  if (minted?.id !== row.subscriber_id || minted.status !== 'active') {
    throw new ApiError(410, 'handoff_expired', 'the session that made this code has ended');
  }
  const session = await createSession(
    exchange,
    row.subscriber_id,
    Math.min(minted.expiresAt, now + pageSessionMaxMs),
  );
  const subscriber = await subscriberById(db, row.subscriber_id);
  return { session, subscriber };
}
