/**
 * Buying crypto with the wallet's fiat: a quote for an amount of crypto or of fiat, whose locked
 * price counts down on the quote's own lifetime (a wrong device clock does not matter), then
 * executed once with its own idempotency key, or a new quote once it has expired.
 */
import { ApiError, newIdempotencyKey } from '@tessera/web-kit/http';
import { type FormEvent, useCallback, useState } from 'react';
import type { Quote } from '../api/exchange.ts';
import { useApis, useApp } from '../app-state.tsx';
import { Countdown, Field, Message } from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { useLoad } from '../use-load.ts';

type By = 'crypto' | 'fiat';
interface HeldQuote {
  quote: Quote;
  /** When it expires, by this device's clock. */
  until: string;
  executeKey: string;
}

export function BuyCrypto({ fiat, onDone }: { fiat: string; onDone(): void }) {
  const { exchange } = useApis();
  const { wallet, failure } = useApp();
  const { t, fmt } = useI18n();
  const [asset, setAsset] = useState('USDT');
  const [by, setBy] = useState<By>('crypto');
  const [amount, setAmount] = useState('');
  const [quote, setQuote] = useState<HeldQuote>();
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
        text: t('wallet.bought', { amount: fmt.money(done.cryptoAmount, done.asset) }),
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

  return (
    <section className="card" aria-labelledby="buy-crypto">
      <h2 id="buy-crypto">{t('wallet.buy')}</h2>
      {result && <Message kind={result.kind}>{result.text}</Message>}
      <QuoteForm
        fiat={fiat}
        asset={asset}
        onAsset={(next) => {
          setAsset(next);
          setQuote(undefined);
        }}
        by={by}
        onBy={setBy}
        amount={amount}
        onAmount={(next) => {
          setAmount(next);
          setQuote(undefined);
        }}
        quoted={quote !== undefined}
        busy={busy}
        onSubmit={getQuote}
      />
      {quote && (
        <QuoteOffer
          quote={quote}
          expired={expired}
          onExpired={() => setExpired(true)}
          busy={busy}
          onNewQuote={() => void getQuote()}
          onExecute={() => void execute()}
        />
      )}
    </section>
  );
}

/** What to buy: the asset, in crypto or in fiat, and how much. */
function QuoteForm({
  fiat,
  asset,
  onAsset,
  by,
  onBy,
  amount,
  onAmount,
  quoted,
  busy,
  onSubmit,
}: {
  fiat: string;
  asset: string;
  onAsset(asset: string): void;
  by: By;
  onBy(by: By): void;
  amount: string;
  onAmount(amount: string): void;
  quoted: boolean;
  busy: boolean;
  onSubmit(event: FormEvent): void;
}) {
  const { exchange } = useApis();
  const { t } = useI18n();
  const loadAssets = useCallback(() => exchange.assets(), [exchange]);
  const assets = useLoad(loadAssets, 'exchange');
  const cryptoAssets = (assets.value?.assets ?? []).filter((a) => a.kind === 'crypto');
  return (
    <form onSubmit={onSubmit}>
      <label className="field">
        <span>{t('wallet.asset')}</span>
        <select name="buy-asset" value={asset} onChange={(event) => onAsset(event.target.value)}>
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
            onChange={() => onBy('crypto')}
          />
          <span>{asset}</span>
        </label>
        <label className="choice">
          <input type="radio" name="buy-by" checked={by === 'fiat'} onChange={() => onBy('fiat')} />
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
            onChange={(event) => onAmount(event.target.value)}
            required
          />
        )}
      </Field>
      {!quoted && (
        <button type="submit" className="button" disabled={busy}>
          {t('wallet.getQuote')}
        </button>
      )}
    </form>
  );
}

/** The quote: what it buys for how much, its countdown, and buying (or a new quote). */
function QuoteOffer({
  quote,
  expired,
  onExpired,
  busy,
  onNewQuote,
  onExecute,
}: {
  quote: HeldQuote;
  expired: boolean;
  onExpired(): void;
  busy: boolean;
  onNewQuote(): void;
  onExecute(): void;
}) {
  const { t, fmt } = useI18n();
  const offer = quote.quote;
  return (
    <div className="quote" data-testid="quote">
      <p>
        {t('wallet.quote', {
          crypto: fmt.money(offer.cryptoAmount, offer.asset),
          fiat: fmt.money(offer.fiatAmount, offer.fiat),
          fee: fmt.money(offer.fee, offer.fiat),
          total: fmt.money(offer.total, offer.fiat),
        })}
      </p>
      <p className="hint">
        {t('wallet.quoteRate', {
          rate: fmt.rate(offer.asset, offer.rate, offer.fiat),
          source: offer.rateSource,
        })}
      </p>
      {expired ? (
        <>
          <Message kind="warning">{t('wallet.quoteExpired')}</Message>
          <button type="button" className="button" disabled={busy} onClick={onNewQuote}>
            {t('wallet.newQuote')}
          </button>
        </>
      ) : (
        <>
          <Countdown
            key={offer.id}
            until={quote.until}
            label={t('wallet.quoteExpires')}
            onEnd={onExpired}
          />
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            onClick={onExecute}
          >
            {t('wallet.executeQuote', { total: fmt.money(offer.total, offer.fiat) })}
          </button>
        </>
      )}
    </div>
  );
}
