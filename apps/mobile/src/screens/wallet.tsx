/**
 * The wallet at the exchange (unit 304, S110): balances in each asset with their fiat value;
 * fiat in by card (the sandbox outside production) or bank transfer (add-money.tsx); crypto
 * bought from a quote whose locked price counts down (buy-crypto.tsx); the history; and live
 * notices of payments in and out (the feed in wallet-feed.ts re-reads the balances here when one
 * arrives).
 */

import { useCallback, useEffect, useState } from 'react';
import type { Transaction } from '../api/exchange.ts';
import { useApis, useApp } from '../app-state.tsx';
import { Loading, Message, NeedsOnline, ScreenTitle } from '../components.tsx';
import { type MessageKey, useI18n } from '../i18n.ts';
import { formatMoney } from '../money.ts';
import { useLoad } from '../use-load.ts';
import { walletChangedEvent } from '../wallet-feed.ts';
import { AddMoney } from './add-money.tsx';
import { BuyCrypto } from './buy-crypto.tsx';
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
  const { t, locale, fmt } = useI18n();
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
                <span className="hint">{fmt.stamp(item.createdAt)}</span>
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
