/**
 * What the buy page's two URLs answer: `/buy` renders the page for a good link and the error
 * page for a bad one; `/v1/buy-page/check` says whether a link is good, for a merchant's app.
 */
import { randomBytes } from 'node:crypto';
import type { Exchange } from '../context.ts';
import { DevelopmentSms } from '../sms.ts';
import { checkBuyRequest } from './check.ts';
import { buyErrorPageHtml, buyPageHtml } from './page.ts';

/** A fresh nonce for one response's inline style and script. */
export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/**
 * The page for a buy link, under `nonce`: 200 and the page, or 400 and the error page saying
 * what is wrong (in Korean when the browser prefers it). The raw query is judged, not a
 * schema-checked one, so that every problem gets the page rather than a JSON error.
 */
export async function renderBuyPage(
  exchange: Exchange,
  nonce: string,
  query: unknown,
  korean: boolean,
): Promise<{ status: 200 | 400; html: string }> {
  const { config } = exchange;
  const check = await checkBuyRequest(exchange, query, { requireReference: true });
  if (!check.ok) return { status: 400, html: buyErrorPageHtml(nonce, check, korean) };
  return {
    status: 200,
    html: buyPageHtml(nonce, {
      merchant: check.merchant,
      asset: check.asset.code,
      scale: check.asset.scale,
      amount: check.amount,
      returnUrl: check.returnUrl,
      reference: check.reference,
      fiat: config.fiat.code,
      fiatScale: config.fiat.scale,
      sandbox: config.environment !== 'production',
      // As accounts/routes.ts decides whether to serve it.
      devInbox:
        config.devEndpoints &&
        config.environment !== 'production' &&
        exchange.sms instanceof DevelopmentSms,
    }),
  };
}

/** Whether a buy link is good, and if not what is wrong (in English) and whose it is. */
export async function buyLinkCheck(exchange: Exchange, query: unknown) {
  const check = await checkBuyRequest(exchange, query);
  return check.ok
    ? { allowed: true, code: null, message: null, merchant: check.merchant }
    : {
        allowed: false,
        code: check.code,
        message: check.message.en,
        merchant: check.merchant ?? null,
      };
}
