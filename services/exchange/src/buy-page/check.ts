/**
 * The check of a buy link (claim 6), before any page is shown: the merchant exists and is
 * active, the asset is a crypto asset, the amount a positive amount of it, and the return URL
 * allowlisted by that merchant. The return URL is the dangerous part (an open redirect would let
 * anyone dress a phishing link in the exchange's name), so it must fall under one of the
 * merchant's own allowlisted prefixes, compared as parsed URLs (same origin, path under the
 * prefix's path at a segment boundary), never as strings. What is wrong is said in English and
 * Korean, for the error page.
 */
import type { Exchange } from '../context.ts';
import type { Asset } from '../money.ts';
import { formatAmount, parseAmount } from '../money.ts';
import { buyPageMerchant } from './repository.ts';

interface Localized {
  readonly en: string;
  readonly ko: string;
}

export type BuyCheck =
  | {
      readonly ok: true;
      readonly merchant: { readonly id: string; readonly displayName: string };
      readonly asset: Asset;
      /** Normalised, e.g. "0.0003". */
      readonly amount: string;
      /** Normalised by the URL parser: the exact URL the page will return to. */
      readonly returnUrl: string;
      readonly reference: string;
    }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: Localized;
      readonly merchant?: { readonly id: string; readonly displayName: string };
    };

const merchantIdPattern = /^mer_[0-9a-z]{8,40}$/;
const referencePattern = /^[\p{L}\p{N}\p{P}\p{S} ]{1,100}$/u;
const maxUrlLength = 2000;

function parseHttpUrl(text: string): URL | undefined {
  if (text.length > maxUrlLength) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether `candidate` falls under one of `prefixes`. Both are parsed: the origins (scheme, host,
 * port) must be equal, so `https://shop.example.evil.com` or `https://shop.example@evil.com` never
 * pass for `https://shop.example`; the path must be the prefix's path or lie below it at a `/`,
 * so `/return` allows `/return/ok` but not `/returns`. The parser has already resolved dot
 * segments, so `/return/../admin` is compared as `/admin`. The prefix's query, if any, is ignored.
 * URLs with credentials in them are refused outright.
 */
export function returnUrlAllowed(candidate: string, prefixes: readonly string[]): boolean {
  const url = parseHttpUrl(candidate);
  if (url?.username !== '' || url.password !== '') return false;
  return prefixes.some((text) => {
    const prefix = parseHttpUrl(text);
    if (!prefix || prefix.origin !== url.origin) return false;
    const base = prefix.pathname;
    if (base.endsWith('/')) return url.pathname.startsWith(base);
    return url.pathname === base || url.pathname.startsWith(`${base}/`);
  });
}

const problems = {
  missing_parameter: (name: string) => ({
    en: `The link is missing its ${name}.`,
    ko: `링크에 ${name} 값이 없습니다.`,
  }),
  invalid_parameter: (name: string) => ({
    en: `The link's ${name} is not valid.`,
    ko: `링크의 ${name} 값이 올바르지 않습니다.`,
  }),
  unknown_merchant: () => ({
    en: 'The shop in this link is not a merchant of this exchange.',
    ko: '이 링크의 상점은 이 거래소의 가맹점이 아닙니다.',
  }),
  invalid_asset: (code: string) => ({
    en: `${code} is not a crypto asset this exchange sells.`,
    ko: `${code}은(는) 이 거래소에서 판매하는 암호화폐가 아닙니다.`,
  }),
  invalid_amount: (code: string) => ({
    en: `The amount is not a valid positive amount of ${code}.`,
    ko: `금액이 올바른 ${code} 수량이 아닙니다.`,
  }),
  return_url_not_allowed: () => ({
    en: 'The return address is not one the shop has registered, so this page will not send you there.',
    ko: '돌아갈 주소가 상점이 등록한 주소가 아니므로 이 페이지는 그곳으로 이동하지 않습니다.',
  }),
};

/**
 * Checks a buy link: the merchant exists and is active, the asset is a crypto asset, the amount
 * is a positive amount of it, and the return URL is allowlisted by that merchant. Query values
 * that are not single strings (a repeated parameter) count as invalid.
 */
export async function checkBuyRequest(
  exchange: Exchange,
  query: unknown,
  options: { requireReference?: boolean } = {},
): Promise<BuyCheck> {
  const params = (typeof query === 'object' && query !== null ? query : {}) as Record<
    string,
    unknown
  >;
  const names = ['merchant', 'asset', 'amount', 'returnUrl', 'reference'] as const;
  const values: Partial<Record<(typeof names)[number], string>> = {};
  for (const name of names) {
    const value = params[name];
    if (value === undefined || value === '') {
      if (name !== 'reference' || options.requireReference) {
        return { ok: false, code: 'missing_parameter', message: problems.missing_parameter(name) };
      }
      continue;
    }
    if (typeof value !== 'string') {
      return { ok: false, code: 'invalid_parameter', message: problems.invalid_parameter(name) };
    }
    values[name] = value;
  }
  const merchantId = values.merchant as string;
  const row = merchantIdPattern.test(merchantId)
    ? await buyPageMerchant(exchange.database.db, merchantId)
    : undefined;
  if (row?.kind !== 'merchant' || row.status !== 'active') {
    return { ok: false, code: 'unknown_merchant', message: problems.unknown_merchant() };
  }
  const merchant = { id: row.id, displayName: row.displayName };
  const assetCode = values.asset as string;
  const asset = exchange.assets.get(assetCode);
  if (asset?.kind !== 'crypto') {
    return {
      ok: false,
      code: 'invalid_asset',
      message: problems.invalid_asset(assetCode.slice(0, 20)),
      merchant,
    };
  }
  let units: bigint;
  try {
    units = parseAmount(values.amount as string, asset);
  } catch {
    units = 0n;
  }
  if (units <= 0n) {
    return {
      ok: false,
      code: 'invalid_amount',
      message: problems.invalid_amount(asset.code),
      merchant,
    };
  }
  const returnUrl = parseHttpUrl(values.returnUrl as string);
  if (!returnUrl || !returnUrlAllowed(returnUrl.href, row.returnUrls)) {
    return {
      ok: false,
      code: 'return_url_not_allowed',
      message: problems.return_url_not_allowed(),
      merchant,
    };
  }
  const reference = values.reference ?? '';
  if (reference !== '' && !referencePattern.test(reference)) {
    return {
      ok: false,
      code: 'invalid_parameter',
      message: problems.invalid_parameter('reference'),
      merchant,
    };
  }
  return {
    ok: true,
    merchant,
    asset,
    amount: formatAmount(units, asset.scale),
    returnUrl: returnUrl.href,
    reference,
  };
}
