/**
 * The hosted buy page (issue item 6, claim 6): a merchant links a buyer to
 * `/buy?merchant=…&asset=BTC&amount=0.0003&returnUrl=…&reference=…`; the page signs the buyer in
 * by SMS code, buys exactly the crypto the wallet lacks at a quoted price, and sends the buyer
 * back to the merchant with `reference` and `status=funded`.
 *
 * The link is checked on the server before any page is shown. The return URL is the dangerous
 * part (an open redirect would let anyone dress a phishing link in the exchange's name), so it
 * must fall under one of the merchant's own allowlisted prefixes, compared as parsed URLs (same
 * origin, path under the prefix's path at a segment boundary), never as strings. A bad link gets
 * an HTML error page, never a redirect.
 *
 * The page is one self-contained document: no external resources, inline CSS and script allowed
 * only by a per-response nonce, no framing. It talks to the exchange's own JSON API, keeps the
 * session token in sessionStorage (gone with the tab), and handles money as BigInt units.
 */
import type { Exchange } from '../context.ts';
import type { Asset } from '../money.ts';
import { formatAmount, parseAmount } from '../money.ts';

export interface Localized {
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

/** The `return_urls` column: a JSON array of strings; anything else allows nothing. */
export function parseReturnUrls(json: string): string[] {
  try {
    const value = JSON.parse(json) as unknown;
    return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : [];
  } catch {
    return [];
  }
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
    ? await exchange.database.db
        .selectFrom('subscribers')
        .select(['id', 'kind', 'status', 'display_name', 'return_urls'])
        .where('id', '=', merchantId)
        .executeTakeFirst()
    : undefined;
  if (row?.kind !== 'merchant' || row.status !== 'active') {
    return { ok: false, code: 'unknown_merchant', message: problems.unknown_merchant() };
  }
  const merchant = { id: row.id, displayName: row.display_name };
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
  if (!returnUrl || !returnUrlAllowed(returnUrl.href, parseReturnUrls(row.return_urls))) {
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

/** Whether the browser's Accept-Language puts Korean first (by q-value, then order). */
export function prefersKorean(header: string | undefined): boolean {
  if (!header) return false;
  let best = { tag: '', q: -1 };
  for (const part of header.split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (Number.isFinite(q) && q > best.q) best = { tag: tag.toLowerCase(), q };
  }
  return best.tag === 'ko' || best.tag.startsWith('ko-');
}

/**
 * Headers for both the page and its error page. The nonce is fresh per response and the page is
 * never cached, so a nonce cannot be replayed; only same-origin API calls are allowed, forms
 * never submit (the script handles them), and nothing may frame the page (clickjacking).
 */
export function buyPageHeaders(nonce: string): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'none'",
      `script-src 'nonce-${nonce}'`,
      `style-src 'nonce-${nonce}'`,
      "connect-src 'self'",
      // data: only for the empty icon below, which spares a favicon request that would 404.
      "img-src 'self' data:",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
  };
}

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] as string);
}

/** JSON that is safe inside a `<script type="application/json">` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const styles = `
:root { color-scheme: light; --ink: #17202a; --muted: #5d6d7e; --line: #d5dbe1; --accent: #1b5e9b;
  --bad: #a93226; --good: #1e8449; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", sans-serif;
  color: var(--ink); background: #f4f6f8; }
main { max-width: 26rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 0 0 .75rem; }
.lead { color: var(--muted); margin: 0 0 1.25rem; }
section { background: #fff; border: 1px solid var(--line); border-radius: .75rem; padding: 1rem;
  margin-bottom: 1rem; }
label { display: block; font-size: .9rem; margin: .5rem 0 .25rem; }
input { width: 100%; font: inherit; padding: .6rem .7rem; border: 1px solid var(--line);
  border-radius: .5rem; }
.row { display: flex; gap: .5rem; }
.row > div { flex: 1; }
button { font: inherit; width: 100%; margin-top: .75rem; padding: .7rem; border: 0;
  border-radius: .5rem; background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #e8eef4; color: var(--ink); }
button:disabled { opacity: .5; cursor: default; }
dl { display: grid; grid-template-columns: auto 1fr; gap: .3rem 1rem; margin: 0; }
dt { color: var(--muted); }
dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
dd.strong, dt.strong { font-weight: 600; color: var(--ink); }
.hint { color: var(--muted); font-size: .85rem; margin: .25rem 0 0; }
.countdown { margin: .75rem 0 0; font-size: .9rem; color: var(--muted); }
.countdown.expired { color: var(--bad); }
#message { margin: 0 0 1rem; padding: .75rem 1rem; border-radius: .5rem; background: #fdecea;
  color: var(--bad); }
#message.info { background: #eaf4ec; color: var(--good); }
.link { background: none; color: var(--accent); padding: 0; width: auto; margin-top: .5rem;
  text-decoration: underline; }
[hidden] { display: none !important; }
`;

export interface BuyPageConfig {
  readonly merchant: { readonly id: string; readonly displayName: string };
  readonly asset: string;
  readonly scale: number;
  readonly amount: string;
  readonly returnUrl: string;
  readonly reference: string;
  readonly fiat: string;
  readonly fiatScale: number;
  /** Card deposits go to the sandbox (not production): the page names the test card. */
  readonly sandbox: boolean;
}

/** The 400 page for a bad link: what is wrong, and that nothing was charged. No script at all. */
export function buyErrorPageHtml(
  nonce: string,
  check: Extract<BuyCheck, { ok: false }>,
  korean: boolean,
): string {
  const lang = korean ? 'ko' : 'en';
  const title = korean ? '이 결제 링크는 사용할 수 없습니다' : 'This payment link cannot be used';
  const after = korean
    ? '아무것도 결제되지 않았습니다. 상점으로 돌아가 다시 시도하세요.'
    : 'Nothing was charged. Go back to the shop and try again.';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">${styles}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<section>
<p id="problem" data-code="${escapeHtml(check.code)}">${escapeHtml(check.message[lang])}</p>
<p class="hint">${escapeHtml(after)}</p>
</section>
</main>
</body>
</html>
`;
}

/** The page itself. Everything it shows comes from the config element or the API, as text. */
export function buyPageHtml(nonce: string, config: BuyPageConfig): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta name="referrer" content="no-referrer">
<title>Tessera</title>
<style nonce="${nonce}">${styles}</style>
</head>
<body>
<main>
<h1 id="title"></h1>
<p class="lead" id="lead"></p>
<noscript><p>This page needs JavaScript. 이 페이지는 JavaScript가 필요합니다.</p></noscript>
<p id="message" role="alert" hidden></p>

<section id="signin-phone" hidden>
<h2 data-t="signInHead"></h2>
<form id="phone-form" novalidate>
<label for="phone" data-t="phone"></label>
<input id="phone" name="phone" type="tel" autocomplete="tel" inputmode="tel" required>
<p class="hint" data-t="phoneHint"></p>
<button id="send-code" type="submit" data-t="sendCode"></button>
</form>
</section>

<section id="signin-code" hidden>
<h2 data-t="signInHead"></h2>
<p class="hint" id="code-sent"></p>
<form id="code-form" novalidate>
<label for="code" data-t="code"></label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
<button id="sign-in" type="submit" data-t="signIn"></button>
</form>
<button id="other-phone" class="link" type="button" data-t="otherPhone"></button>
</section>

<section id="wallet" hidden>
<h2 data-t="walletHead"></h2>
<dl>
<dt data-t="holding"></dt><dd id="have"></dd>
<dt data-t="needed"></dt><dd id="need"></dd>
<dt class="strong" data-t="shortfall"></dt><dd class="strong" id="short"></dd>
<dt id="fiat-label"></dt><dd id="fiat-have"></dd>
</dl>
<p id="enough" hidden></p>
<button id="return-now" type="button" hidden></button>
<button id="sign-out" class="link" type="button" data-t="signOut"></button>
</section>

<section id="quote" hidden>
<h2 data-t="quoteHead"></h2>
<dl>
<dt data-t="youGet"></dt><dd id="q-crypto"></dd>
<dt data-t="rate"></dt><dd id="q-rate"></dd>
<dt data-t="price"></dt><dd id="q-fiat"></dd>
<dt data-t="fee"></dt><dd id="q-fee"></dd>
<dt class="strong" data-t="total"></dt><dd class="strong" id="q-total"></dd>
</dl>
<p class="countdown" id="countdown" aria-live="polite"></p>
<button id="execute" type="button"></button>
<button id="requote" class="secondary" type="button" data-t="newQuote" hidden></button>
</section>

<section id="topup" hidden>
<h2 id="topup-head"></h2>
<p id="fiat-short"></p>
<form id="topup-form" novalidate>
<label for="topup-amount" id="topup-amount-label"></label>
<input id="topup-amount" inputmode="numeric" required>
<label for="card-number" data-t="cardNumber"></label>
<input id="card-number" inputmode="numeric" autocomplete="cc-number" required>
<div class="row">
<div><label for="card-month" data-t="expMonth"></label>
<input id="card-month" inputmode="numeric" autocomplete="cc-exp-month" maxlength="2" required></div>
<div><label for="card-year" data-t="expYear"></label>
<input id="card-year" inputmode="numeric" autocomplete="cc-exp-year" maxlength="4" required></div>
<div><label for="card-cvc" data-t="cvc"></label>
<input id="card-cvc" inputmode="numeric" autocomplete="cc-csc" maxlength="4" required></div>
</div>
<p class="hint" id="sandbox-note" data-t="topupNote" hidden></p>
<button id="add-funds" type="submit"></button>
</form>
</section>

<section id="done" hidden>
<p id="done-text"></p>
</section>
</main>
<script type="application/json" id="buy-config">${scriptJson(config)}</script>
<script nonce="${nonce}">${pageScript}</script>
</body>
</html>
`;
}

/**
 * The page's script. Plain browser JavaScript, no build step. Text goes into the page through
 * textContent only. Idempotency keys: a new one per quote request (a duplicate quote is
 * harmless), one per quote for its execution and one per deposit body, each reused when the
 * same request is retried, so a retry after a lost answer can never charge twice.
 */
const pageScript = String.raw`
(() => {
  'use strict';
  const cfg = JSON.parse(document.getElementById('buy-config').textContent);
  const korean = /^ko\b/i.test(navigator.language || '');
  const strings = {
    en: {
      title: 'Buy {asset}',
      lead: '{merchant} needs {amount} {asset} to complete your order ({reference}).',
      signInHead: 'Sign in to your Tessera wallet',
      phone: 'Phone number',
      phoneHint: 'For example +821012345678 or 010-1234-5678',
      sendCode: 'Send code',
      code: 'Code from the text message',
      signIn: 'Sign in',
      codeSent: 'We sent a 6-digit code to {phone}.',
      otherPhone: 'Use another number',
      walletHead: 'Your wallet',
      holding: 'You hold',
      needed: 'The order needs',
      shortfall: 'To buy',
      fiatBalance: '{fiat} balance',
      enough: 'You already hold enough {asset} for this order.',
      back: 'Return to {merchant}',
      quoteHead: 'Your price',
      youGet: 'You get',
      rate: 'Rate',
      rateValue: '1 {asset} = {rate} {fiat}',
      price: 'Price',
      fee: 'Fee',
      total: 'Total to pay',
      expiresIn: 'This price is held for {s} s',
      expired: 'This price has expired.',
      newQuote: 'Get a new price',
      buy: 'Buy {amount} {asset} for {total} {fiat}',
      fiatShort:
        'Your wallet has {have} {fiat}, but this purchase costs {total} {fiat}. Add at least {missing} {fiat} to continue.',
      topupHead: 'Add {fiat} with a card',
      topupAmount: 'Amount ({fiat})',
      cardNumber: 'Card number',
      expMonth: 'Month (MM)',
      expYear: 'Year (YYYY)',
      cvc: 'CVC',
      topupNote:
        'Test mode, no real money: use card 4242 4242 4242 4242 with any future expiry date and any 3-digit CVC.',
      addFunds: 'Add {fiat}',
      added: 'Added {amount} {fiat} to your wallet.',
      depositRefused: 'The card was not charged: {message}',
      depositPending: 'The deposit is {status}; it shows in your wallet once it succeeds.',
      funded: 'Done: your wallet holds {amount} {asset}. Returning you to {merchant}…',
      signOut: 'Sign out',
      invalid_code: 'The code is wrong or has expired. Ask for a new one.',
      too_many_codes: 'Too many codes were sent to this number. Try again later.',
      rate_limited: 'Too many attempts. Wait a minute and try again.',
      no_account: 'There is no Tessera account for this number. Open one in the Tessera app first.',
      invalid_phone: 'Enter the phone number with its country code, such as +821012345678.',
      rate_unavailable: 'No {asset} price is available right now. Try again shortly.',
      rate_stale: 'The {asset} price is out of date, so we will not sell at it. Try again shortly.',
      insufficient_funds: 'There is not enough {fiat} in your wallet for this purchase.',
      quote_expired: 'The price expired before the purchase; here is a new one.',
      network: 'Could not reach the exchange. Check your connection and try again.',
      session: 'Your session has ended. Sign in again.',
      return_url: 'The shop address could not be confirmed, so this page will not send you there.',
      generic: 'Something went wrong: {message}',
      invalid_card_number: 'The card number is not valid. Check it and try again.',
      invalid_cvc: 'The security code (CVC) must be 3 or 4 digits.',
      invalid_expiry: 'Enter the expiry month (1–12) and the four-digit year.',
      card_declined: 'the card was declined',
      card_insufficient_funds: 'the card has insufficient funds',
      expired_card: 'the card has expired',
      incorrect_cvc: 'the security code is incorrect',
      card_not_supported: 'this card is not supported; use another card',
    },
    ko: {
      title: '{asset} 구매',
      lead: '{merchant} 주문({reference})을 완료하려면 {amount} {asset}이(가) 필요합니다.',
      signInHead: 'Tessera 지갑에 로그인',
      phone: '휴대폰 번호',
      phoneHint: '예: 010-1234-5678 또는 +821012345678',
      sendCode: '인증번호 받기',
      code: '문자로 받은 인증번호',
      signIn: '로그인',
      codeSent: '{phone}(으)로 6자리 인증번호를 보냈습니다.',
      otherPhone: '다른 번호 사용',
      walletHead: '내 지갑',
      holding: '보유',
      needed: '주문에 필요',
      shortfall: '구매할 수량',
      fiatBalance: '{fiat} 잔액',
      enough: '이 주문에 필요한 {asset}을(를) 이미 보유하고 있습니다.',
      back: '{merchant}(으)로 돌아가기',
      quoteHead: '구매 가격',
      youGet: '받는 수량',
      rate: '시세',
      rateValue: '1 {asset} = {rate} {fiat}',
      price: '가격',
      fee: '수수료',
      total: '결제 금액',
      expiresIn: '이 가격은 {s}초 동안 유지됩니다',
      expired: '가격 유효 시간이 지났습니다.',
      newQuote: '새 가격 받기',
      buy: '{total} {fiat}에 {amount} {asset} 구매',
      fiatShort:
        '지갑에 {have} {fiat}이(가) 있지만 이 구매에는 {total} {fiat}이(가) 필요합니다. 계속하려면 {missing} {fiat} 이상 충전하세요.',
      topupHead: '카드로 {fiat} 충전',
      topupAmount: '금액 ({fiat})',
      cardNumber: '카드 번호',
      expMonth: '월 (MM)',
      expYear: '연도 (YYYY)',
      cvc: 'CVC',
      topupNote:
        '테스트 모드이며 실제 돈은 이동하지 않습니다. 카드 번호 4242 4242 4242 4242, 미래의 유효기간, 아무 3자리 CVC를 사용하세요.',
      addFunds: '{fiat} 충전',
      added: '지갑에 {amount} {fiat}을(를) 충전했습니다.',
      depositRefused: '카드가 결제되지 않았습니다: {message}',
      depositPending: '충전이 {status} 상태입니다. 완료되면 지갑에 표시됩니다.',
      funded: '완료되었습니다. 지갑에 {amount} {asset}이(가) 있습니다. {merchant}(으)로 돌아갑니다…',
      signOut: '로그아웃',
      invalid_code: '인증번호가 틀렸거나 만료되었습니다. 새 인증번호를 받으세요.',
      too_many_codes: '이 번호로 인증번호를 너무 많이 요청했습니다. 나중에 다시 시도하세요.',
      rate_limited: '시도가 너무 많습니다. 1분 후 다시 시도하세요.',
      no_account: '이 번호로 가입된 Tessera 계정이 없습니다. 먼저 Tessera 앱에서 계정을 만드세요.',
      invalid_phone: '국가 번호를 포함한 휴대폰 번호를 입력하세요. 예: +821012345678',
      rate_unavailable: '지금은 {asset} 가격을 받을 수 없습니다. 잠시 후 다시 시도하세요.',
      rate_stale: '{asset} 시세가 오래되어 이 가격으로는 판매하지 않습니다. 잠시 후 다시 시도하세요.',
      insufficient_funds: '지갑의 {fiat}이(가) 이 구매에 부족합니다.',
      quote_expired: '구매 전에 가격 유효 시간이 지나 새 가격을 받았습니다.',
      network: '거래소에 연결할 수 없습니다. 연결을 확인하고 다시 시도하세요.',
      session: '로그인 시간이 끝났습니다. 다시 로그인하세요.',
      return_url: '상점 주소를 확인할 수 없어 이 페이지는 그곳으로 이동하지 않습니다.',
      generic: '문제가 발생했습니다: {message}',
      invalid_card_number: '카드 번호가 올바르지 않습니다. 확인 후 다시 시도하세요.',
      invalid_cvc: '보안 코드(CVC)는 3자리 또는 4자리 숫자입니다.',
      invalid_expiry: '유효기간의 월(1–12)과 네 자리 연도를 입력하세요.',
      card_declined: '카드가 거절되었습니다',
      card_insufficient_funds: '카드 잔액이 부족합니다',
      expired_card: '카드 유효기간이 지났습니다',
      incorrect_cvc: '보안 코드가 올바르지 않습니다',
      card_not_supported: '지원하지 않는 카드입니다. 다른 카드를 사용하세요',
    },
  };
  const lang = korean ? 'ko' : 'en';
  document.documentElement.lang = lang;
  const vars = {
    asset: cfg.asset,
    fiat: cfg.fiat,
    merchant: cfg.merchant.displayName,
    reference: cfg.reference || '-',
  };
  const t = (key, extra) => {
    const all = Object.assign({}, vars, extra || {});
    return strings[lang][key].replace(/\{(\w+)\}/g, (m, name) =>
      Object.prototype.hasOwnProperty.call(all, name) ? String(all[name]) : m,
    );
  };
  const $ = (id) => document.getElementById(id);
  const tokenKey = 'tessera.buy.token';

  // Money is BigInt units of each asset, parsed from and printed as decimal strings.
  const toUnits = (text, scale) => {
    if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) throw new Error('not an amount: ' + text);
    const parts = text.split('.');
    const fraction = (parts[1] || '').replace(/0+$/, '');
    if (fraction.length > scale) throw new Error('too many decimals: ' + text);
    return BigInt(parts[0] + fraction.padEnd(scale, '0'));
  };
  const fromUnits = (units, scale) => {
    const negative = units < 0n;
    const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
    const whole = digits.slice(0, digits.length - scale);
    const fraction = scale > 0 ? digits.slice(digits.length - scale).replace(/0+$/, '') : '';
    return (negative ? '-' : '') + whole + (fraction ? '.' + fraction : '');
  };
  // For people: thousands separators on the whole part, the decimals untouched.
  const grouped = (text) => {
    const parts = text.split('.');
    const whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return parts.length > 1 ? whole + '.' + parts[1] : whole;
  };
  const need = toUnits(cfg.amount, cfg.scale);

  const newKey = () => {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  };

  class ApiFailure extends Error {
    constructor(status, code, message, details) {
      super(message);
      this.status = status;
      this.code = code;
      this.details = details || {};
    }
  }

  async function api(method, path, body, key) {
    const headers = {};
    const token = sessionStorage.getItem(tokenKey);
    if (token) headers.authorization = 'Bearer ' + token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (key) headers['idempotency-key'] = key;
    let response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      throw new ApiFailure(0, 'network', String(error));
    }
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      data = null;
    }
    if (!response.ok) {
      const problem = (data && data.error) || {};
      if (response.status === 401 && token) {
        sessionStorage.removeItem(tokenKey);
        throw new ApiFailure(401, 'session', problem.message || 'unauthenticated');
      }
      throw new ApiFailure(
        response.status,
        problem.code || 'http_' + response.status,
        problem.message || 'HTTP ' + response.status,
        problem.details,
      );
    }
    return data;
  }

  const sections = ['signin-phone', 'signin-code', 'wallet', 'quote', 'topup', 'done'];
  const show = (visible) => {
    for (const id of sections) $(id).hidden = !visible.includes(id);
  };
  const say = (text, info) => {
    const box = $('message');
    box.textContent = text || '';
    box.className = info ? 'info' : '';
    box.hidden = !text;
  };
  const explain = (error) => {
    if (!(error instanceof ApiFailure)) return t('generic', { message: String(error) });
    if (Object.prototype.hasOwnProperty.call(strings[lang], error.code)) return t(error.code);
    return t('generic', { message: error.message });
  };
  // Runs an action with its buttons disabled, so a double click cannot send it twice.
  const busy = async (buttons, action) => {
    for (const b of buttons) b.disabled = true;
    try {
      await action();
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  };

  const state = { phone: null, fiatHave: 0n, quote: null, timer: null, keys: {}, deposit: null };

  // 010-1234-5678 is a Korean mobile number: +82 and the number without its leading 0.
  const normalisePhone = (text) => {
    const compact = text.replace(/[\s().-]/g, '');
    if (compact.startsWith('+')) return compact;
    if (compact.startsWith('0')) return '+82' + compact.slice(1);
    return '+' + compact;
  };

  function signedOut(message) {
    stopCountdown();
    sessionStorage.removeItem(tokenKey);
    show(['signin-phone']);
    say(message || '');
    $('phone').focus();
  }

  $('phone-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const phone = normalisePhone($('phone').value);
    if (!/^\+[1-9][0-9]{6,14}$/.test(phone)) return say(t('invalid_phone'));
    busy([$('send-code')], async () => {
      try {
        await api('POST', '/v1/auth/codes', { phone });
        state.phone = phone;
        $('code-sent').textContent = t('codeSent', { phone });
        $('code').value = '';
        show(['signin-code']);
        say('');
        $('code').focus();
      } catch (error) {
        say(error.code === 'invalid_request' ? t('invalid_phone') : explain(error));
      }
    });
  });

  $('code-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const code = $('code').value.replace(/\s/g, '');
    busy([$('sign-in')], async () => {
      try {
        const session = await api('POST', '/v1/auth/sessions', {
          phone: state.phone,
          code,
          kind: 'person',
        });
        sessionStorage.setItem(tokenKey, session.token);
        say('');
        await refresh();
      } catch (error) {
        say(error.code === 'not_found' ? t('no_account') : explain(error));
      }
    });
  });

  $('other-phone').addEventListener('click', () => signedOut(''));

  $('sign-out').addEventListener('click', () => {
    const token = sessionStorage.getItem(tokenKey);
    if (token) api('DELETE', '/v1/auth/session').catch(() => {});
    signedOut('');
  });

  async function loadWallet() {
    const wallet = await api('GET', '/v1/wallet');
    const held = (code, scale) => {
      const row = wallet.balances.find((b) => b.asset === code);
      return row ? toUnits(row.amount, scale) : 0n;
    };
    return { have: held(cfg.asset, cfg.scale), fiatHave: held(cfg.fiat, cfg.fiatScale) };
  }

  // Reads the wallet, shows what is missing, and quotes exactly that.
  async function refresh() {
    let wallet;
    try {
      wallet = await loadWallet();
    } catch (error) {
      if (error.code === 'session') return signedOut(t('session'));
      show(['wallet']);
      return say(explain(error));
    }
    state.fiatHave = wallet.fiatHave;
    const shortfall = need > wallet.have ? need - wallet.have : 0n;
    $('have').textContent = grouped(fromUnits(wallet.have, cfg.scale)) + ' ' + cfg.asset;
    $('need').textContent = grouped(cfg.amount) + ' ' + cfg.asset;
    $('short').textContent = grouped(fromUnits(shortfall, cfg.scale)) + ' ' + cfg.asset;
    $('fiat-label').textContent = t('fiatBalance');
    $('fiat-have').textContent = grouped(fromUnits(wallet.fiatHave, cfg.fiatScale)) + ' ' + cfg.fiat;
    if (shortfall === 0n) {
      stopCountdown();
      state.quote = null;
      $('enough').textContent = t('enough');
      $('enough').hidden = false;
      $('return-now').textContent = t('back');
      $('return-now').hidden = false;
      show(['wallet']);
      return;
    }
    $('enough').hidden = true;
    $('return-now').hidden = true;
    await requestQuote(shortfall);
  }

  async function requestQuote(shortfall) {
    stopCountdown();
    state.quote = null;
    try {
      const quote = await api(
        'POST',
        '/v1/quotes',
        { side: 'buy', asset: cfg.asset, cryptoAmount: fromUnits(shortfall, cfg.scale) },
        newKey(),
      );
      showQuote(quote);
    } catch (error) {
      if (error.code === 'session') return signedOut(t('session'));
      show(['wallet', 'quote']);
      for (const id of ['q-crypto', 'q-rate', 'q-fiat', 'q-fee', 'q-total', 'countdown'])
        $(id).textContent = '';
      $('execute').hidden = true;
      $('requote').hidden = false;
      say(explain(error));
    }
  }

  function showQuote(quote) {
    state.quote = quote;
    $('q-crypto').textContent = grouped(quote.cryptoAmount) + ' ' + quote.asset;
    $('q-rate').textContent = t('rateValue', { rate: grouped(quote.rate) });
    $('q-fiat').textContent = grouped(quote.fiatAmount) + ' ' + quote.fiat;
    $('q-fee').textContent = grouped(quote.fee) + ' ' + quote.fiat;
    $('q-total').textContent = grouped(quote.total) + ' ' + quote.fiat;
    $('execute').textContent = t('buy', {
      amount: grouped(quote.cryptoAmount),
      total: grouped(quote.total),
    });
    $('execute').hidden = false;
    $('requote').hidden = true;
    const total = toUnits(quote.total, cfg.fiatScale);
    const missing = total > state.fiatHave ? total - state.fiatHave : 0n;
    if (missing > 0n) {
      showTopup(total, missing);
      $('execute').disabled = true;
    } else {
      $('execute').disabled = false;
      show(['wallet', 'quote']);
    }
    startCountdown(quote);
  }

  // Counts down with the browser's monotonic clock over the quote's own lifetime, so a browser
  // whose wall clock is wrong still shows the right number of seconds.
  function startCountdown(quote) {
    stopCountdown();
    const lifetime = Date.parse(quote.expiresAt) - Date.parse(quote.createdAt);
    const deadline = performance.now() + lifetime;
    const tick = () => {
      const left = Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
      const box = $('countdown');
      if (left > 0) {
        box.textContent = t('expiresIn', { s: left });
        box.className = 'countdown';
        return;
      }
      stopCountdown();
      box.textContent = t('expired');
      box.className = 'countdown expired';
      $('execute').hidden = true;
      $('requote').hidden = false;
    };
    tick();
    state.timer = setInterval(tick, 250);
  }

  function stopCountdown() {
    if (state.timer) clearInterval(state.timer);
    state.timer = null;
  }

  function showTopup(total, missing) {
    $('topup-head').textContent = t('topupHead');
    $('fiat-short').textContent = t('fiatShort', {
      have: grouped(fromUnits(state.fiatHave, cfg.fiatScale)),
      total: grouped(fromUnits(total, cfg.fiatScale)),
      missing: grouped(fromUnits(missing, cfg.fiatScale)),
    });
    $('topup-amount-label').textContent = t('topupAmount');
    $('topup-amount').value = fromUnits(missing, cfg.fiatScale);
    $('add-funds').textContent = t('addFunds');
    $('sandbox-note').hidden = !cfg.sandbox;
    show(['wallet', 'quote', 'topup']);
  }

  $('requote').addEventListener('click', () => {
    say('');
    busy([$('requote')], refresh);
  });

  $('execute').addEventListener('click', () => {
    const quote = state.quote;
    if (!quote) return;
    // One key per quote: a retry after a lost answer replays the first execution.
    state.keys[quote.id] = state.keys[quote.id] || newKey();
    busy([$('execute')], async () => {
      try {
        await api('POST', '/v1/quotes/' + encodeURIComponent(quote.id) + '/execute', undefined,
          state.keys[quote.id]);
        stopCountdown();
        await finish();
      } catch (error) {
        if (error.code === 'session') return signedOut(t('session'));
        if (error.code === 'quote_executed') {
          stopCountdown();
          return finish();
        }
        if (error.code === 'quote_expired') {
          await refresh();
          return say(t('quote_expired'), true);
        }
        if (error.code === 'insufficient_funds') {
          const wallet = await loadWallet().catch(() => null);
          if (wallet) state.fiatHave = wallet.fiatHave;
          const total = toUnits(quote.total, cfg.fiatScale);
          showTopup(total, total > state.fiatHave ? total - state.fiatHave : 1n);
          $('execute').disabled = true;
        }
        say(explain(error));
      }
    });
  });

  $('topup-form').addEventListener('submit', (event) => {
    event.preventDefault();
    let amount;
    try {
      amount = fromUnits(toUnits($('topup-amount').value.replace(/,/g, '').trim(), cfg.fiatScale),
        cfg.fiatScale);
    } catch (error) {
      return say(t('generic', { message: String(error.message) }));
    }
    const body = {
      method: 'card',
      amount,
      card: {
        number: $('card-number').value.replace(/[\s-]/g, ''),
        expMonth: Number($('card-month').value),
        expYear: Number($('card-year').value),
        cvc: $('card-cvc').value.trim(),
      },
    };
    // The same key for the same deposit until it has a definite answer: never charge twice.
    const text = JSON.stringify(body);
    if (!state.deposit || state.deposit.text !== text) state.deposit = { text, key: newKey() };
    busy([$('add-funds')], async () => {
      try {
        const deposit = await api('POST', '/v1/deposits', body, state.deposit.key);
        state.deposit = null;
        const status = deposit && deposit.status;
        if (status === 'refused' || status === 'cancelled') {
          return say(t('depositRefused', {
            message: (deposit.failure && deposit.failure.message) || status,
          }));
        }
        if (status && status !== 'succeeded') {
          return say(t('depositPending', { status }), true);
        }
        for (const id of ['card-number', 'card-month', 'card-year', 'card-cvc']) $(id).value = '';
        await refresh();
        say(t('added', { amount: grouped(amount) }), true);
      } catch (error) {
        // A definite answer (a refusal is recorded under its key) needs a new key to retry.
        if (error.status > 0 && error.status < 500) state.deposit = null;
        if (error.code === 'session') return signedOut(t('session'));
        if (error.status === 402) {
          // The sandbox's decline reasons; its insufficient_funds is the card's, not the wallet's.
          const reason = error.details.reason === 'insufficient_funds'
            ? 'card_insufficient_funds'
            : error.details.reason;
          const known = typeof reason === 'string' &&
            Object.prototype.hasOwnProperty.call(strings[lang], reason);
          return say(t('depositRefused', { message: known ? t(reason) : error.message }));
        }
        say(explain(error));
      }
    });
  });

  $('return-now').addEventListener('click', () => busy([$('return-now')], finish));

  // Checks the wallet really holds the amount, re-checks the return address with the
  // exchange, and only then leaves for the shop.
  async function finish() {
    let wallet;
    try {
      wallet = await loadWallet();
    } catch (error) {
      return say(explain(error));
    }
    if (wallet.have < need) return refresh();
    const query = new URLSearchParams({
      merchant: cfg.merchant.id,
      asset: cfg.asset,
      amount: cfg.amount,
      returnUrl: cfg.returnUrl,
    });
    let check;
    try {
      check = await api('GET', '/v1/buy-page/check?' + query.toString());
    } catch (error) {
      return say(explain(error));
    }
    if (!check.allowed) return say(t('return_url'));
    const target = new URL(cfg.returnUrl);
    if (cfg.reference) target.searchParams.set('reference', cfg.reference);
    target.searchParams.set('status', 'funded');
    $('done-text').textContent = t('funded', { amount: grouped(fromUnits(wallet.have, cfg.scale)) });
    show(['done']);
    say('');
    location.assign(target.href);
  }

  for (const element of document.querySelectorAll('[data-t]')) {
    element.textContent = t(element.getAttribute('data-t'));
  }
  document.title = t('title') + ' · Tessera';
  $('title').textContent = t('title');
  $('lead').textContent = t('lead', { amount: grouped(cfg.amount) });

  if (sessionStorage.getItem(tokenKey)) refresh();
  else signedOut('');
})();
`;
