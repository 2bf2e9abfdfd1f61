/**
 * The organization's merchant wallet at the exchange (issue 19 item 3; S100, unit 114): which
 * merchant account is linked and since when, linking or relinking it through the exchange's own
 * sign-in (exchange-sign-in.tsx), and the wallet's balances per asset with their value in fiat.
 * The owner's screen (`link_wallet`): any role may read the link (GET /v1/organizers/{id}), but
 * only the owner may change it, and the balances need the merchant account's own sign-in.
 *
 * The balances come from the exchange itself (GET /v1/wallet with the exchange session, which
 * values each asset at the latest rate, and GET /v1/rates for the rate shown beside it); the
 * ticketing server never holds them.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import type { ExchangeAnswer } from '@tessera/api-client';
import { ApiError } from '@tessera/web-kit/http';
import { useEffect, useState } from 'react';
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Notice } from '../ui/form.tsx';
import { Loaded, Page } from '../ui/page.tsx';
import { type OrganizerRecord, useOrganizerRecord } from './api.ts';
import { type ExchangeSession, useExchangeSession } from './exchange-session.ts';
import { ExchangeSignIn, type ExchangeSignInPurpose } from './exchange-sign-in.tsx';

export default function WalletScreen() {
  const { t } = useI18n();
  const organizer = useOrganizer();
  const record = useOrganizerRecord(organizer.id);
  return (
    <Page title={t('organizations.wallet.title')}>
      <p>{t('organizations.wallet.intro')}</p>
      <Loaded query={record}>{(found) => <Wallet wallet={found.wallet} />}</Loaded>
    </Page>
  );
}

function Wallet(props: { wallet: OrganizerRecord['wallet'] }) {
  const { t, fmt } = useI18n();
  const organizer = useOrganizer();
  const { exchangeSession, remember, forget } = useExchangeSession(organizer.id);
  const [signingIn, setSigningIn] = useState<ExchangeSignInPurpose>();
  const [linked, setLinked] = useState(false);
  const { wallet } = props;
  // A session at another merchant account (the wallet was relinked elsewhere) shows nothing.
  const session = exchangeSession?.merchantId === wallet?.merchantId ? exchangeSession : undefined;
  const done = (next: ExchangeSession) => {
    remember(next);
    setLinked(signingIn === 'link');
    setSigningIn(undefined);
  };
  return (
    <>
      <section aria-labelledby="linked-title">
        <h2 id="linked-title">{t('organizations.wallet.linked')}</h2>
        {linked ? <Notice>{t('organizations.wallet.linkedNow')}</Notice> : null}
        {wallet ? (
          <dl className="facts">
            <dt>{t('organizations.wallet.merchant')}</dt>
            <dd>{wallet.merchantName}</dd>
            <dt>{t('organizations.wallet.merchantId')}</dt>
            <dd>
              <code>{wallet.merchantId}</code>
            </dd>
            <dt>{t('organizations.wallet.since')}</dt>
            <dd>{fmt.stamp(wallet.linkedAt)}</dd>
          </dl>
        ) : (
          <p>{t('organizations.wallet.notLinked')}</p>
        )}
      </section>
      {wallet ? (
        <section aria-labelledby="balances-title">
          <h2 id="balances-title">{t('organizations.wallet.balances')}</h2>
          {signingIn === 'balances' ? (
            <ExchangeSignIn
              purpose="balances"
              onDone={done}
              onCancel={() => setSigningIn(undefined)}
            />
          ) : (
            <Balances
              session={session}
              onSignIn={() => setSigningIn('balances')}
              onSessionGone={forget}
            />
          )}
        </section>
      ) : null}
      <section aria-labelledby="link-title">
        <h2 id="link-title">
          {wallet ? t('organizations.wallet.relinkTitle') : t('organizations.wallet.linkTitle')}
        </h2>
        {signingIn === 'link' ? (
          <ExchangeSignIn purpose="link" onDone={done} onCancel={() => setSigningIn(undefined)} />
        ) : (
          <>
            <p>
              {wallet
                ? t('organizations.wallet.relinkExplain', { merchant: wallet.merchantName })
                : t('organizations.wallet.linkExplain')}
            </p>
            <button
              type="button"
              className={wallet ? undefined : 'primary'}
              onClick={() => {
                setLinked(false);
                setSigningIn('link');
              }}
            >
              {wallet ? t('organizations.wallet.relink') : t('organizations.wallet.link')}
            </button>
          </>
        )}
      </section>
    </>
  );
}

/** The merchant wallet's balances, read with the exchange session; a sign-in button without one. */
function Balances(props: {
  session: ExchangeSession | undefined;
  onSignIn(): void;
  onSessionGone(): void;
}) {
  const { t } = useI18n();
  if (props.session) {
    return <BalanceTable session={props.session} onSessionGone={props.onSessionGone} />;
  }
  return (
    <>
      <p>{t('organizations.wallet.balancesNeedSignIn')}</p>
      <button type="button" onClick={props.onSignIn}>
        {t('organizations.wallet.signInForBalances')}
      </button>
    </>
  );
}

function BalanceTable(props: { session: ExchangeSession; onSessionGone(): void }) {
  const { t } = useI18n();
  const api = useApi();
  const { session, onSessionGone } = props;
  const balances = useQuery({
    queryKey: ['exchange', 'wallet', session.merchantId, session.token],
    queryFn: () =>
      api.call((init) => api.exchange.GET('/v1/wallet', init), { token: session.token }),
  });
  const rates = useQuery({
    queryKey: ['exchange', 'rates'],
    queryFn: () => api.call((init) => api.exchange.GET('/v1/rates', init), { token: undefined }),
  });
  // The exchange session expired or was signed out elsewhere: forget it, offer the sign-in again.
  const gone = balances.error instanceof ApiError && balances.error.status === 401;
  useEffect(() => {
    if (gone) onSessionGone();
  }, [gone, onSessionGone]);
  const rateOf = (asset: string) => rates.data?.rates.find((rate) => rate.asset === asset)?.rate;
  // The session can move the merchant's money: end it at the exchange as soon as it is not needed.
  const signOut = useMutation({
    mutationFn: () =>
      api.call((init) => api.exchange.DELETE('/v1/auth/session', init), { token: session.token }),
    onSettled: onSessionGone,
  });
  return (
    <Loaded query={balances}>
      {(wallet) => (
        <>
          <BalanceRows wallet={wallet} rateOf={rateOf} />
          <button type="button" disabled={signOut.isPending} onClick={() => signOut.mutate()}>
            {t('organizations.wallet.exchangeSignOut')}
          </button>
        </>
      )}
    </Loaded>
  );
}

function BalanceRows(props: {
  wallet: ExchangeAnswer<'get', '/v1/wallet'>;
  rateOf(asset: string): string | null | undefined;
}) {
  const { t, fmt } = useI18n();
  const { wallet, rateOf } = props;
  return (
    <table className="balances">
      <thead>
        <tr>
          <th>{t('organizations.wallet.asset')}</th>
          <th className="number">{t('organizations.wallet.amount')}</th>
          <th className="number">{t('organizations.wallet.value', { fiat: wallet.fiat })}</th>
          <th className="number">{t('organizations.wallet.rate')}</th>
        </tr>
      </thead>
      <tbody>
        {wallet.balances.map((balance) => {
          const rate = rateOf(balance.asset);
          return (
            <tr key={balance.asset} data-asset={balance.asset}>
              <th scope="row">{balance.asset}</th>
              <td className="number">{fmt.money(balance.amount, balance.asset)}</td>
              <td className="number">
                {balance.fiatValue === null
                  ? t('organizations.wallet.noRate')
                  : fmt.money(balance.fiatValue, wallet.fiat)}
              </td>
              <td className="number">{rate ? fmt.rate(balance.asset, rate, wallet.fiat) : '—'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
