/**
 * The wallet at the exchange (unit 304, S110): balances in each asset with their fiat value;
 * fiat in by card (the sandbox outside production) or bank transfer; crypto bought from a quote
 * whose locked price counts down; the history; and live notices of payments in and out (the
 * feed in wallet-feed.ts re-reads the balances here when one arrives).
 */

import { ApiError, newIdempotencyKey } from '@tessera/web-kit/http';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { Quote, Transaction } from '../api/exchange.ts';
import { useApis, useApp } from '../app-state.tsx';
import { Countdown, Field, Loading, Message, NeedsOnline, ScreenTitle } from '../components.tsx';
import { isMessageKey, type MessageKey, useI18n } from '../i18n.ts';
import { formatMoney } from '../money.ts';
import { useLoad } from '../use-load.ts';
import { walletChangedEvent } from '../wallet-feed.ts';
import { WalletConnect } from './wallet-connect.tsx';

export default function WalletScreen() {
  const { t } = useI18n();
  const { wallet } = useApp();
  return (
    <>
      <ScreenTitle>{t('wallet.title')}</ScreenTitle>
      <NeedsOnline>{wallet ? <WalletView /> : <WalletConnect />}</NeedsOnline>
    </>
  );
}

function WalletView() {
  const { exchange } = useApis();
  const { wallet, setWallet } = useApp();
  const { t, locale } = useI18n();
  const token = wallet?.token ?? '';
  const loadWallet = useCallback(() => exchange.wallet(token), [exchange, token]);
  const balances = useLoad(loadWallet, 'exchange');
  const [historyVersion, setHistoryVersion] = useState(0);

  const changed = useCallback(() => {
    void balances.reload();
    setHistoryVersion((v) => v + 1);
  }, [balances.reload]);
  useEffect(() => {
    window.addEventListener(walletChangedEvent, changed);
    return () => window.removeEventListener(walletChangedEvent, changed);
  }, [changed]);

  const fiat = balances.value?.fiat ?? 'KRW';
  return (
    <>
      <section className="card" aria-labelledby="balances">
        <h2 id="balances">{t('wallet.balances')}</h2>
        {wallet && <p className="hint">{t('account.walletConnected', { phone: wallet.phone })}</p>}
        {balances.error && <Message kind="error">{balances.error}</Message>}
        {!balances.value ? (
          <Loading />
        ) : (
          <ul className="balances">
            {balances.value.balances.map((balance) => (
              <li key={balance.asset} data-asset={balance.asset}>
                <strong>{formatMoney(balance.amount, balance.asset, locale)}</strong>
                {balance.asset !== balances.value?.fiat && balance.fiatValue !== null && (
                  <span className="hint">
                    {t('wallet.worth', { amount: formatMoney(balance.fiatValue, fiat, locale) })}
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <AddMoney fiat={fiat} onDone={changed} />
      <BuyCrypto fiat={fiat} onDone={changed} />
      <History key={historyVersion} />
      <button
        type="button"
        className="button button-quiet"
        onClick={() => void setWallet(undefined)}
      >
        {t('wallet.disconnect')}
      </button>
    </>
  );
}

function AddMoney({ fiat, onDone }: { fiat: string; onDone(): void }) {
  const { exchange } = useApis();
  const { wallet, failure, config } = useApp();
  const { t, locale } = useI18n();
  const [amount, setAmount] = useState('50000');
  const [method, setMethod] = useState<'card' | 'bank'>('card');
  const [number, setNumber] = useState('');
  const [expiry, setExpiry] = useState('');
  const [cvc, setCvc] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'success' | 'error' | 'info'; text: string }>();
  // One key per request body: a retry after a lost answer is the same request and replays its
  // answer; a definite answer (success or refusal) drops it, so another card gets a new key.
  const [pendingKey, setPendingKey] = useState<{ body: string; key: string }>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!wallet) return;
    const amountText = amount.trim();
    const [month, year] = expiry.split('/').map((part) => part.trim());
    const card = {
      number: number.replace(/[\s-]/g, ''),
      expMonth: Number(month),
      expYear: 2000 + Number(year),
      cvc: cvc.trim(),
    };
    const body = JSON.stringify(method === 'card' ? { amountText, card } : { amountText });
    const key = pendingKey?.body === body ? pendingKey.key : newIdempotencyKey('deposit');
    setPendingKey({ body, key });
    setBusy(true);
    setResult(undefined);
    try {
      if (method === 'card') {
        const deposit = await exchange.cardDeposit(wallet.token, amountText, card, key);
        setResult({
          kind: 'success',
          text: t('wallet.deposited', {
            amount: formatMoney(deposit.amount, deposit.asset, locale),
          }),
        });
        setNumber('');
        setCvc('');
      } else {
        const deposit = await exchange.bankDeposit(wallet.token, amountText, key);
        const how = deposit.instructions;
        setResult({
          kind: 'info',
          text: how
            ? t('wallet.bankPending', {
                amount: formatMoney(how.amount, how.asset, locale),
                bank: how.bankName,
                account: how.accountNumber,
                holder: how.accountHolder,
                reference: how.reference,
              })
            : (deposit.reference ?? ''),
        });
      }
      setPendingKey(undefined);
      onDone();
    } catch (e) {
      if (e instanceof ApiError) setPendingKey(undefined);
      if (e instanceof ApiError && e.code === 'payment_method_refused') {
        const reason = String(e.details.reason ?? '');
        const key = `wallet.refusal.${reason}`;
        setResult({
          kind: 'error',
          text: t('wallet.cardRefused', { reason: isMessageKey(key) ? t(key) : e.message }),
        });
      } else {
        setResult({ kind: 'error', text: failure(e, 'exchange') });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="add-money">
      <h2 id="add-money">{t('wallet.addMoney')}</h2>
      {result && <Message kind={result.kind}>{result.text}</Message>}
      <form onSubmit={submit}>
        <Field label={t('wallet.amount', { fiat })}>
          {(props) => (
            <input
              {...props}
              name="deposit-amount"
              inputMode="decimal"
              value={amount}
              onChange={(event) => setAmount(event.target.value)}
              required
            />
          )}
        </Field>
        <fieldset className="choices choices-inline">
          <legend>{t('wallet.method')}</legend>
          <label className="choice">
            <input
              type="radio"
              name="method"
              checked={method === 'card'}
              onChange={() => setMethod('card')}
            />
            <span>{t('wallet.card')}</span>
          </label>
          <label className="choice">
            <input
              type="radio"
              name="method"
              checked={method === 'bank'}
              onChange={() => setMethod('bank')}
            />
            <span>{t('wallet.bank')}</span>
          </label>
        </fieldset>
        {method === 'card' && (
          <>
            {config?.development && <p className="hint">{t('wallet.sandbox')}</p>}
            <Field label={t('wallet.cardNumber')}>
              {(props) => (
                <input
                  {...props}
                  name="card-number"
                  inputMode="numeric"
                  autoComplete="cc-number"
                  value={number}
                  onChange={(event) => setNumber(event.target.value)}
                  required
                />
              )}
            </Field>
            <div className="field-row">
              <Field label={t('wallet.expiry')}>
                {(props) => (
                  <input
                    {...props}
                    name="card-expiry"
                    autoComplete="cc-exp"
                    placeholder="MM/YY"
                    pattern="[0-9]{1,2}/[0-9]{2}"
                    value={expiry}
                    onChange={(event) => setExpiry(event.target.value)}
                    required
                  />
                )}
              </Field>
              <Field label={t('wallet.cvc')}>
                {(props) => (
                  <input
                    {...props}
                    name="card-cvc"
                    inputMode="numeric"
                    autoComplete="cc-csc"
                    maxLength={4}
                    value={cvc}
                    onChange={(event) => setCvc(event.target.value)}
                    required
                  />
                )}
              </Field>
            </div>
          </>
        )}
        <button type="submit" className="button button-primary" disabled={busy}>
          {t('wallet.deposit', { amount: formatMoney(amount.trim() || '0', fiat, locale) })}
        </button>
      </form>
    </section>
  );
}

function BuyCrypto({ fiat, onDone }: { fiat: string; onDone(): void }) {
  const { exchange } = useApis();
  const { wallet, failure } = useApp();
  const { t, locale } = useI18n();
  const loadAssets = useCallback(() => exchange.assets(), [exchange]);
  const assets = useLoad(loadAssets, 'exchange');
  const [asset, setAsset] = useState('USDT');
  const [by, setBy] = useState<'crypto' | 'fiat'>('crypto');
  const [amount, setAmount] = useState('');
  const [quote, setQuote] = useState<{ quote: Quote; until: string; executeKey: string }>();
  const [expired, setExpired] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'success' | 'error'; text: string }>();

  const getQuote = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!wallet) return;
    setBusy(true);
    setResult(undefined);
    try {
      const answer = await exchange.quote(
        wallet.token,
        by === 'crypto'
          ? { side: 'buy', asset, cryptoAmount: amount.trim() }
          : { side: 'buy', asset, fiatAmount: amount.trim() },
        newIdempotencyKey('quote'),
      );
      // The countdown runs on the quote's own lifetime, so a wrong device clock does not matter.
      const lifetimeMs = Date.parse(answer.expiresAt) - Date.parse(answer.createdAt);
      setQuote({
        quote: answer,
        until: new Date(Date.now() + lifetimeMs).toISOString(),
        executeKey: newIdempotencyKey('execute'),
      });
      setExpired(false);
    } catch (e) {
      setResult({ kind: 'error', text: failure(e, 'exchange') });
    } finally {
      setBusy(false);
    }
  };

  const execute = async () => {
    if (!wallet || !quote) return;
    setBusy(true);
    try {
      const done = await exchange.executeQuote(wallet.token, quote.quote.id, quote.executeKey);
      setResult({
        kind: 'success',
        text: t('wallet.bought', { amount: formatMoney(done.cryptoAmount, done.asset, locale) }),
      });
      setQuote(undefined);
      setAmount('');
      onDone();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'quote_expired') setExpired(true);
      setResult({ kind: 'error', text: failure(e, 'exchange') });
    } finally {
      setBusy(false);
    }
  };

  const cryptoAssets = (assets.value?.assets ?? []).filter((a) => a.kind === 'crypto');
  return (
    <section className="card" aria-labelledby="buy-crypto">
      <h2 id="buy-crypto">{t('wallet.buy')}</h2>
      {result && <Message kind={result.kind}>{result.text}</Message>}
      <form onSubmit={getQuote}>
        <label className="field">
          <span>{t('wallet.asset')}</span>
          <select
            name="buy-asset"
            value={asset}
            onChange={(event) => {
              setAsset(event.target.value);
              setQuote(undefined);
            }}
          >
            {(cryptoAssets.length > 0 ? cryptoAssets.map((a) => a.code) : ['USDT']).map((code) => (
              <option key={code} value={code}>
                {code}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="choices choices-inline">
          <legend>{t('wallet.buyBy')}</legend>
          <label className="choice">
            <input
              type="radio"
              name="buy-by"
              checked={by === 'crypto'}
              onChange={() => setBy('crypto')}
            />
            <span>{asset}</span>
          </label>
          <label className="choice">
            <input
              type="radio"
              name="buy-by"
              checked={by === 'fiat'}
              onChange={() => setBy('fiat')}
            />
            <span>{fiat}</span>
          </label>
        </fieldset>
        <Field
          label={
            by === 'crypto' ? t('wallet.cryptoAmount', { asset }) : t('wallet.fiatAmount', { fiat })
          }
        >
          {(props) => (
            <input
              {...props}
              name="buy-amount"
              inputMode="decimal"
              value={amount}
              onChange={(event) => {
                setAmount(event.target.value);
                setQuote(undefined);
              }}
              required
            />
          )}
        </Field>
        {!quote && (
          <button type="submit" className="button" disabled={busy}>
            {t('wallet.getQuote')}
          </button>
        )}
      </form>
      {quote && (
        <div className="quote" data-testid="quote">
          <p>
            {t('wallet.quote', {
              crypto: formatMoney(quote.quote.cryptoAmount, quote.quote.asset, locale),
              fiat: formatMoney(quote.quote.fiatAmount, quote.quote.fiat, locale),
              fee: formatMoney(quote.quote.fee, quote.quote.fiat, locale),
              total: formatMoney(quote.quote.total, quote.quote.fiat, locale),
            })}
          </p>
          <p className="hint">
            {t('wallet.quoteRate', {
              asset: quote.quote.asset,
              rate: quote.quote.rate,
              fiat: quote.quote.fiat,
              source: quote.quote.rateSource,
            })}
          </p>
          {expired ? (
            <>
              <Message kind="warning">{t('wallet.quoteExpired')}</Message>
              <button
                type="button"
                className="button"
                disabled={busy}
                onClick={() => void getQuote()}
              >
                {t('wallet.newQuote')}
              </button>
            </>
          ) : (
            <>
              <Countdown
                key={quote.quote.id}
                until={quote.until}
                label={t('wallet.quoteExpires')}
                onEnd={() => setExpired(true)}
              />
              <button
                type="button"
                className="button button-primary"
                disabled={busy}
                onClick={() => void execute()}
              >
                {t('wallet.executeQuote', {
                  total: formatMoney(quote.quote.total, quote.quote.fiat, locale),
                })}
              </button>
            </>
          )}
        </div>
      )}
    </section>
  );
}

const kindKeys: Record<string, MessageKey> = {
  deposit: 'wallet.kind.deposit',
  trade: 'wallet.kind.trade',
  payment: 'wallet.kind.payment',
  refund: 'wallet.kind.refund',
  transfer: 'wallet.kind.transfer',
  withdrawal_hold: 'wallet.kind.withdrawal_hold',
};

function History() {
  const { exchange } = useApis();
  const { wallet, failure } = useApp();
  const { t, locale, formatDateTime } = useI18n();
  const [items, setItems] = useState<Transaction[]>();
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string>();

  const load = useCallback(
    async (before?: number) => {
      if (!wallet) return;
      try {
        const page = await exchange.transactions(wallet.token, before);
        setItems((current) =>
          before ? [...(current ?? []), ...page.transactions] : page.transactions,
        );
        setNext(page.nextBefore);
      } catch (e) {
        setError(failure(e, 'exchange'));
      }
    },
    [exchange, wallet, failure],
  );
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <section className="card" aria-labelledby="history">
      <h2 id="history">{t('wallet.history')}</h2>
      {error && <Message kind="error">{error}</Message>}
      {!items ? (
        <Loading />
      ) : items.length === 0 ? (
        <p>{t('wallet.noHistory')}</p>
      ) : (
        <ul className="history">
          {items.map((item) => (
            <li key={item.id}>
              <span>
                <strong>{t(kindKeys[item.kind] ?? 'wallet.kind.other')}</strong>
                {item.memo && <span className="hint"> · {item.memo}</span>}
                <br />
                <span className="hint">{formatDateTime(item.createdAt)}</span>
              </span>
              <span className="amounts">
                {item.changes.map((change) => (
                  <span key={change.asset} className={change.amount.startsWith('-') ? 'out' : 'in'}>
                    {change.amount.startsWith('-') ? '' : '+'}
                    {formatMoney(change.amount, change.asset, locale)}
                  </span>
                ))}
              </span>
            </li>
          ))}
        </ul>
      )}
      {next !== null && (
        <button type="button" className="button" onClick={() => void load(next)}>
          {t('wallet.more')}
        </button>
      )}
    </section>
  );
}
