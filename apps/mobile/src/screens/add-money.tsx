/**
 * Fiat into the wallet (S110): by card (the sandbox outside production), credited at once, or by
 * bank transfer, with the instructions to send it. A retry after a lost answer reuses the
 * request's idempotency key, so a card is never charged twice.
 */
import { ApiError, newIdempotencyKey } from '@tessera/web-kit/http';
import { type FormEvent, useState } from 'react';
import type { Deposit } from '../api/exchange.ts';
import { useApis, useApp } from '../app-state.tsx';
import { Field, Message } from '../components.tsx';
import { isMessageKey, useI18n } from '../i18n.ts';
import { formatMoney } from '../money.ts';

type Method = 'card' | 'bank';
type Result = { kind: 'success' | 'error' | 'info'; text: string };
type T = ReturnType<typeof useI18n>['t'];

export function AddMoney({ fiat, onDone }: { fiat: string; onDone(): void }) {
  const { exchange } = useApis();
  const { wallet, failure } = useApp();
  const { t, locale } = useI18n();
  const [amount, setAmount] = useState('50000');
  const [method, setMethod] = useState<Method>('card');
  const [number, setNumber] = useState('');
  const [expiry, setExpiry] = useState('');
  const [cvc, setCvc] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result>();
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
        setResult({ kind: 'info', text: bankInstructions(deposit, t, locale) });
      }
      setPendingKey(undefined);
      onDone();
    } catch (e) {
      if (e instanceof ApiError) setPendingKey(undefined);
      setResult({ kind: 'error', text: refusalText(e, t) ?? failure(e, 'exchange') });
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
        <MethodChoice method={method} onMethod={setMethod} />
        {method === 'card' && (
          <CardFields
            number={number}
            onNumber={setNumber}
            expiry={expiry}
            onExpiry={setExpiry}
            cvc={cvc}
            onCvc={setCvc}
          />
        )}
        <button type="submit" className="button button-primary" disabled={busy}>
          {t('wallet.deposit', { amount: formatMoney(amount.trim() || '0', fiat, locale) })}
        </button>
      </form>
    </section>
  );
}

/** Where to send a bank transfer, and the reference that matches it to this wallet. */
function bankInstructions(deposit: Deposit, t: T, locale: string): string {
  const how = deposit.instructions;
  return how
    ? t('wallet.bankPending', {
        amount: formatMoney(how.amount, how.asset, locale),
        bank: how.bankName,
        account: how.accountNumber,
        holder: how.accountHolder,
        reference: how.reference,
      })
    : (deposit.reference ?? '');
}

/** A card the payment method refused, in words (the reason the exchange gives, if known). */
function refusalText(error: unknown, t: T): string | undefined {
  if (!(error instanceof ApiError && error.code === 'payment_method_refused')) return undefined;
  const reason = String(error.details.reason ?? '');
  const key = `wallet.refusal.${reason}`;
  return t('wallet.cardRefused', { reason: isMessageKey(key) ? t(key) : error.message });
}

function MethodChoice({ method, onMethod }: { method: Method; onMethod(method: Method): void }) {
  const { t } = useI18n();
  return (
    <fieldset className="choices choices-inline">
      <legend>{t('wallet.method')}</legend>
      <label className="choice">
        <input
          type="radio"
          name="method"
          checked={method === 'card'}
          onChange={() => onMethod('card')}
        />
        <span>{t('wallet.card')}</span>
      </label>
      <label className="choice">
        <input
          type="radio"
          name="method"
          checked={method === 'bank'}
          onChange={() => onMethod('bank')}
        />
        <span>{t('wallet.bank')}</span>
      </label>
    </fieldset>
  );
}

/** The card's number, expiry and security code (a note on the sandbox in development). */
function CardFields({
  number,
  onNumber,
  expiry,
  onExpiry,
  cvc,
  onCvc,
}: {
  number: string;
  onNumber(number: string): void;
  expiry: string;
  onExpiry(expiry: string): void;
  cvc: string;
  onCvc(cvc: string): void;
}) {
  const { config } = useApp();
  const { t } = useI18n();
  return (
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
            onChange={(event) => onNumber(event.target.value)}
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
              onChange={(event) => onExpiry(event.target.value)}
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
              onChange={(event) => onCvc(event.target.value)}
              required
            />
          )}
        </Field>
      </div>
    </>
  );
}
