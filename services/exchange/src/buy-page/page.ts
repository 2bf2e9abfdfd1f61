/**
 * The hosted buy page (issue item 6, claim 6): a merchant links a buyer to
 * `/buy?merchant=…&asset=BTC&amount=0.0003&returnUrl=…&reference=…`; the page signs the buyer in
 * by SMS code, buys exactly the crypto the wallet lacks at a quoted price, and sends the buyer
 * back to the merchant with `reference` and `status=funded`. The link is checked first
 * (check.ts); a bad link gets an HTML error page, never a redirect.
 *
 * This file is the page's HTML and its headers. The page is one self-contained document: no
 * external resources, inline CSS (styles.ts) and script (script.ts) allowed only by a
 * per-response nonce, no framing. It talks to the exchange's own JSON API, keeps the session
 * token in sessionStorage (gone with the tab), and handles money as BigInt units. The buyer's
 * app may hand its wallet session over with a one-time code in the URL fragment (handoff.ts).
 */
import type { BuyCheck } from './check.ts';
import { pageScript } from './script.ts';
import { styles } from './styles.ts';

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

function escapeHtml(text: string): string {
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
  /** The development SMS inbox is served (never in production): the page links it. */
  readonly devInbox: boolean;
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
<p class="hint" id="dev-inbox-line" hidden><a id="dev-inbox" target="_blank" rel="noreferrer" data-t="devInbox"></a></p>
<form id="code-form" novalidate>
<label for="code" data-t="code"></label>
<input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" required>
<button id="sign-in" type="submit" data-t="signIn"></button>
</form>
<button id="other-phone" class="link" type="button" data-t="otherPhone"></button>
</section>

<section id="wallet" hidden>
<h2 data-t="walletHead"></h2>
<p class="hint" id="signed-in-as" hidden></p>
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
