/**
 * The buy page's script, as the source text the page inlines under its nonce (page.ts); what
 * it says is in texts.ts. Plain browser JavaScript, no build step. Text goes into the page through
 * textContent only. Idempotency keys: a new one per quote request (a duplicate quote is
 * harmless), one per quote for its execution and one per deposit body, each reused when the
 * same request is retried, so a retry after a lost answer can never charge twice.
 */
import { pageTexts } from './texts.ts';

export const pageScript = String.raw`
(() => {
  'use strict';
  const cfg = JSON.parse(document.getElementById('buy-config').textContent);
  const korean = /^ko\b/i.test(navigator.language || '');
  const strings = ${pageTexts};
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
    // info: good news (green); 'note': neutral, such as a sign-in that must be done again.
    box.className = typeof info === 'string' ? info : info ? 'info' : '';
    box.hidden = !text;
  };
  const explain = (error) => {
    if (!(error instanceof ApiFailure)) return t('generic', { message: String(error) });
    // A 429 names its wait (Retry-After, also in details.retryAfterS): show it.
    const wait = error.status === 429 ? Number(error.details.retryAfterS) : 0;
    if (wait > 0 && wait < 90) return t('rate_limited_seconds', { seconds: Math.ceil(wait) });
    if (wait > 0 && wait < 5400) return t('rate_limited_minutes', { minutes: Math.ceil(wait / 60) });
    if (wait > 0) return t('rate_limited_hours', { hours: Math.ceil(wait / 3600) });
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

  const state = {
    phone: null,
    prefill: null,
    fiatHave: 0n,
    quote: null,
    timer: null,
    keys: {},
    deposit: null,
  };

  // 010-1234-5678 is a Korean mobile number: +82 and the number without its leading 0.
  const normalisePhone = (text) => {
    const compact = text.replace(/[\s().-]/g, '');
    if (compact.startsWith('+')) return compact;
    if (compact.startsWith('0')) return '+82' + compact.slice(1);
    return '+' + compact;
  };

  // The buyer's app hands over in the URL fragment, which no server and no Referer ever sees:
  // a one-time code for its wallet session (handoff.ts), or at least the phone number. It is
  // read once and dropped from the address bar and the history at once.
  const handed = new URLSearchParams(location.hash.slice(1));
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  const handoff = handed.get('handoff');
  const handedPhone = handed.get('phone') || '';
  state.prefill = /^\+[1-9][0-9]{6,14}$/.test(handedPhone) ? handedPhone : null;

  function signedOut(message, info) {
    stopCountdown();
    sessionStorage.removeItem(tokenKey);
    state.phone = null;
    show(['signin-phone']);
    say(message || '', info);
    // The number the app knows is filled in: one tap sends the code.
    if (state.prefill && !$('phone').value) $('phone').value = state.prefill;
    if ($('phone').value) $('send-code').focus();
    else $('phone').focus();
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
        if (cfg.devInbox) {
          $('dev-inbox').href = '/dev/sms?phone=' + encodeURIComponent(phone);
          $('dev-inbox-line').hidden = false;
        }
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
    $('signed-in-as').textContent = state.phone ? t('signedInAs', { phone: state.phone }) : '';
    $('signed-in-as').hidden = !state.phone;
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

  // A handoff from the app wins over an older session of this tab: it is the buyer's wallet now.
  async function start() {
    if (handoff) {
      sessionStorage.removeItem(tokenKey);
      try {
        const session = await api('POST', '/v1/buy-page/handoffs/redeem', {
          code: handoff,
          merchant: cfg.merchant.id,
        });
        sessionStorage.setItem(tokenKey, session.token);
        state.phone = session.subscriber.phone;
        return refresh();
      } catch (error) {
        return signedOut(t('handoffFailed'), 'note');
      }
    }
    if (!sessionStorage.getItem(tokenKey)) return signedOut('');
    const me = await api('GET', '/v1/me').catch(() => null);
    if (me) state.phone = me.phone;
    return refresh();
  }
  start();
})();
`;
