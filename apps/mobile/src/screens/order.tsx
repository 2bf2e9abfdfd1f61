/**
 * Checkout (S120 to S150, claim 6): the order with its hold countdown and its price in the chosen
 * crypto at the locked rate; the wallet's balance of that asset; paying it from the wallet after
 * one confirmation (S130), then waiting for the tickets (the ticketing server issues them when the
 * exchange tells it of the payment, S140 and S150). Short of crypto, the buyer goes to the
 * exchange's hosted buy page, which comes back here, to the same order. A refused payment says
 * why and offers to try again or to cancel (seed 001).
 */

import type { Formats } from '@tessera/web-kit/format';
import { ApiError, newIdempotencyKey } from '@tessera/web-kit/http';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { PaymentRequest } from '../api/exchange.ts';
import type { Order, TicketingApi } from '../api/ticketing.ts';
import { useApis, useApp, useFiat } from '../app-state.tsx';
import {
  ConfirmDialog,
  Countdown,
  Loading,
  Message,
  NeedsOnline,
  NeedsSession,
  ScreenTitle,
} from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { compare, divide, subtract } from '../money.ts';
import { productWord, usePassPerformance } from '../product-words.ts';
import { Link, useLocation } from '../router.tsx';
import { getItem, putItem } from '../storage.ts';
import { syncTickets } from '../tickets.ts';
import { useLoad } from '../use-load.ts';
import { walletChangedEvent } from '../wallet-feed.ts';
import { BuyPageLink } from './buy-page-link.tsx';
import { seatLabel } from './ticket-text.ts';
import { WalletConnect } from './wallet-connect.tsx';

/** The long poll's wait: the server answers sooner when the order changes. */
const orderWaitS = 25;

export default function OrderScreen({ orderId }: { orderId: string }) {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('order.title')}</ScreenTitle>
      <NeedsOnline>
        <NeedsSession>
          <OrderView orderId={orderId} />
        </NeedsSession>
      </NeedsOnline>
    </>
  );
}

type Phase =
  | { name: 'idle' }
  | { name: 'confirm'; request: PaymentRequest }
  | { name: 'paying' }
  | { name: 'issuing' }
  | { name: 'refused'; reason: string };

const pending = (order: Order) =>
  order.status === 'creating' || order.status === 'awaiting_payment';

function OrderView({ orderId }: { orderId: string }) {
  const fiat = useFiat();
  const { t } = useI18n();
  const { search } = useLocation();
  const [phase, setPhase] = useState<Phase>({ name: 'idle' });
  const live = useLiveOrder(orderId, phase.name === 'issuing');
  const performance = useOrderPerformance(live.order?.performanceId);
  const pass = usePassPerformance(live.order?.performanceId);
  const ticketsReady = useTicketsOnDevice(live);
  const { balance, readBalance } = useOrderBalance(live);
  const { order, error } = live;

  if (error && !order) return <Message kind="error">{error}</Message>;
  if (!order) return <Loading />;
  return (
    <div className="order">
      {error && <Message kind="error">{error}</Message>}
      {search.get('status') === 'funded' && order.status === 'awaiting_payment' && (
        <Message kind="success">{t('order.funded')}</Message>
      )}
      <OrderSummary order={order} performance={performance} fiat={fiat} />
      {order.status === 'creating' && <Message>{t('order.creating')}</Message>}
      {order.status === 'awaiting_payment' && order.payment && (
        <PaymentCard
          live={live}
          order={order}
          payment={order.payment}
          phase={phase}
          setPhase={setPhase}
          balance={balance}
          readBalance={readBalance}
        />
      )}
      {order.status === 'issued' && <IssuedTickets order={order} ready={ticketsReady} />}
      {(order.status === 'expired' ||
        order.status === 'cancelled' ||
        order.status === 'refunded') && (
        <>
          <Message kind="warning">
            {t(
              order.status === 'expired'
                ? productWord('order.expired', pass)
                : `order.${order.status}`,
            )}
          </Message>
          <Link className="button" to={`/performances/${order.performanceId}`}>
            {t('order.backToEvent')}
          </Link>
        </>
      )}
    </div>
  );
}

/** The order as the server has it, and what the screen's parts need to keep it fresh. */
interface LiveOrder {
  order: Order | undefined;
  setOrder(order: Order): void;
  error: string | undefined;
  setError(error: string | undefined): void;
  /** Reads the order again; with `waitS`, waits for it to change (the long poll). */
  load(waitS?: number): Promise<Order>;
  /** False once the screen has gone: late answers are dropped. */
  mounted: { readonly current: boolean };
  token: string;
}

/**
 * Loads the order, and while it is being paid (or prepared) waits on it: the server answers as
 * soon as it changes (issued, expired, cancelled, refunded), so the tickets show the moment they
 * exist.
 */
function useLiveOrder(orderId: string, issuing: boolean): LiveOrder {
  const { ticketing } = useApis();
  const { session, failure } = useApp();
  const [order, setOrder] = useState<Order>();
  const [error, setError] = useState<string>();
  const token = session?.token ?? '';
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const load = useCallback(
    async (waitS?: number) => {
      const next = await ticketing.getOrder(token, orderId, waitS);
      if (mounted.current) setOrder(next);
      return next;
    },
    [ticketing, token, orderId],
  );

  useEffect(() => {
    load().catch((e: unknown) => setError(failure(e)));
  }, [load, failure]);

  const waiting = order !== undefined && pending(order) && (issuing || order.status === 'creating');
  useEffect(() => {
    if (!waiting) return;
    let stopped = false;
    (async () => {
      while (!stopped && mounted.current) {
        try {
          const next = await load(orderWaitS);
          if (!pending(next)) return;
        } catch (e) {
          if (stopped) return;
          setError(failure(e));
          await new Promise((resolve) => setTimeout(resolve, 3_000));
        }
      }
    })();
    return () => {
      stopped = true;
    };
  }, [waiting, load, failure]);

  return { order, setOrder, error, setError, load, mounted, token };
}

/** The performance the order is for, for its name and time. */
function useOrderPerformance(performanceId: string | undefined) {
  const { ticketing } = useApis();
  const loadPerformance = useCallback(
    () => (performanceId ? ticketing.performance(performanceId) : Promise.resolve(undefined)),
    [ticketing, performanceId],
  );
  return useLoad(loadPerformance).value;
}

/** Issued: bring the new tickets onto the device, so they open offline from now on. */
function useTicketsOnDevice({ order, mounted, setError }: LiveOrder) {
  const { ticketing } = useApis();
  const { session, device, failure } = useApp();
  const [ready, setReady] = useState(false);
  const issued = order?.status === 'issued';
  useEffect(() => {
    if (!issued || !session || !device?.deviceId) return;
    syncTickets(ticketing, session, device).then(
      () => mounted.current && setReady(true),
      (e: unknown) => setError(failure(e)),
    );
  }, [issued, ticketing, session, device, failure, mounted, setError]);
  return ready;
}

/** The wallet's balance of the order's asset, read again when the wallet's feed says so. */
function useOrderBalance({ order, mounted, setError, load }: LiveOrder) {
  const { exchange } = useApis();
  const { wallet, failure } = useApp();
  const [balance, setBalance] = useState<string>();
  const readBalance = useCallback(async () => {
    if (!wallet || !order) return;
    try {
      const held = await exchange.wallet(wallet.token);
      if (mounted.current)
        setBalance(held.balances.find((b) => b.asset === order.asset)?.amount ?? '0');
    } catch (e) {
      setError(failure(e, 'exchange'));
    }
  }, [exchange, wallet, order, failure, mounted, setError]);

  useEffect(() => {
    void readBalance();
    // A payment or a top-up seen on the wallet's feed: re-read the balance and the order.
    const onChange = () => {
      void readBalance();
      void load().catch(() => undefined);
    };
    window.addEventListener(walletChangedEvent, onChange);
    return () => window.removeEventListener(walletChangedEvent, onChange);
  }, [readBalance, load]);
  return { balance, readBalance };
}

/** What is being bought: the event, the seats, the price and the locked rate. */
function OrderSummary({
  order,
  performance,
  fiat,
}: {
  order: Order;
  performance: Awaited<ReturnType<TicketingApi['performance']>> | undefined;
  fiat: string;
}) {
  const { t, fmt } = useI18n();
  const pass = usePassPerformance(order.performanceId);
  return (
    <section className="card" aria-labelledby="order-items">
      <h2 id="order-items">{performance ? performance.event.name : t('order.items')}</h2>
      {performance && <p>{fmt.dateTime(performance.startsAt, performance.venue.timeZone)}</p>}
      <ul className="list plain">
        {order.lines.map((line) => (
          <li key={line.lineNo}>
            {pass && !line.seat ? line.category : seatLabel(line.seat, line.category, t)}
          </li>
        ))}
      </ul>
      <p className="price">
        {t('order.price')}: <strong>{fmt.money(order.amount, order.asset)}</strong>
      </p>
      {order.fiatAmount && (
        <p className="hint">
          {t('order.fiatPrice', { amount: fmt.money(order.fiatAmount, fiat) })}
          {' · '}
          {t('order.rate', {
            rate: lockedRate(order.fiatAmount, order.amount, order.asset, fiat, fmt),
          })}
        </p>
      )}
    </section>
  );
}

interface PaymentProps {
  live: LiveOrder;
  /** The countdown reached 0:00: the payment window is over, whatever the server says yet. */
  timeUp: boolean;
  order: Order;
  payment: NonNullable<Order['payment']>;
  phase: Phase;
  setPhase(phase: Phase): void;
  balance: string | undefined;
  readBalance(): Promise<void>;
}

/**
 * Paying the order before the hold ends: from the wallet, or by connecting it first. At 0:00 the
 * hold is over on screen at once (the exchange refuses a late payment, and the server expires the
 * order a little later): nothing can be paid, and the buyer is offered to choose again.
 */
function PaymentCard(props: Omit<PaymentProps, 'timeUp'>) {
  const { t } = useI18n();
  const { wallet } = useApp();
  const { live, order, payment, phase, setPhase } = props;
  const pass = usePassPerformance(order.performanceId);
  const [timeUp, setTimeUp] = useState(() => Date.parse(payment.expiresAt) <= Date.now());
  const onEnd = useCallback(() => {
    setTimeUp(true);
    void live.load().catch(() => undefined);
  }, [live.load]);
  // A confirmation left open when the time ran out can no longer be acted on.
  useEffect(() => {
    if (timeUp && phase.name === 'confirm') setPhase({ name: 'idle' });
  }, [timeUp, phase.name, setPhase]);
  const over = timeUp && phase.name !== 'paying' && phase.name !== 'issuing';
  return (
    <section className="card" aria-labelledby="pay-title">
      <h2 id="pay-title" className="visually-hidden">
        {t('order.payWithin')}
      </h2>
      {phase.name !== 'issuing' && (
        <>
          <Countdown
            key={payment.expiresAt}
            until={payment.expiresAt}
            label={t('order.payWithin')}
            onEnd={onEnd}
          />
          {!over && <p className="hint">{t(productWord('order.holdNote', pass))}</p>}
        </>
      )}
      {over && (
        <>
          <Message kind="warning">{t(productWord('order.timeUp', pass))}</Message>
          <Link className="button button-primary" to={`/performances/${order.performanceId}`}>
            {t(productWord('order.chooseAgain', pass))}
          </Link>
        </>
      )}
      {!wallet ? (
        <>
          <Message>{t('order.connectWallet')}</Message>
          <WalletConnect />
        </>
      ) : phase.name === 'issuing' ? (
        <Message>{t(productWord('order.issuing', pass))}</Message>
      ) : (
        <PayFromWallet {...props} timeUp={over} walletToken={wallet.token} />
      )}
    </section>
  );
}

/** The balance, the pay button and its one confirmation, the buy page when short, cancelling. */
function PayFromWallet({
  live,
  timeUp,
  order,
  payment,
  phase,
  setPhase,
  balance,
  readBalance,
  walletToken,
}: PaymentProps & { walletToken: string }) {
  const { ticketing, exchange } = useApis();
  const { failure } = useApp();
  const { t, fmt } = useI18n();
  const { setError, load } = live;
  const amount = fmt.money(order.amount, order.asset);
  const enough = balance !== undefined && (compare(balance, order.amount) ?? -1) >= 0;
  const shortBy = balance !== undefined && !enough ? subtract(order.amount, balance) : undefined;

  const askToPay = async () => {
    setError(undefined);
    try {
      // The confirmation shows what the exchange itself will charge, and to whom.
      const request = await exchange.paymentRequest(walletToken, payment.requestId);
      setPhase({ name: 'confirm', request });
    } catch (e) {
      setError(failure(e, 'exchange'));
    }
  };

  const pay = async () => {
    setPhase({ name: 'paying' });
    const key = await paymentKey(order.id);
    try {
      await exchange.pay(walletToken, payment.requestId, key);
      setPhase({ name: 'issuing' });
    } catch (e) {
      if (e instanceof ApiError && e.code === 'already_paid') {
        setPhase({ name: 'issuing' });
        return;
      }
      setPhase({ name: 'refused', reason: failure(e, 'exchange') });
      void readBalance();
      void load().catch(() => undefined);
    }
  };

  const cancel = async () => {
    setError(undefined);
    try {
      live.setOrder(await ticketing.cancelOrder(live.token, order.id));
      setPhase({ name: 'idle' });
    } catch (e) {
      setError(failure(e));
      void load().catch(() => undefined);
    }
  };

  return (
    <>
      {balance !== undefined && (
        <p>{t('order.balance', { amount: fmt.money(balance, order.asset) })}</p>
      )}
      {phase.name === 'refused' && (
        <Message kind="error">{t('order.refused', { reason: phase.reason })}</Message>
      )}
      {shortBy !== undefined && !timeUp && (
        <ShortOfCrypto order={order} payment={payment} shortBy={shortBy} />
      )}
      {enough && phase.name !== 'confirm' && (
        <button
          type="button"
          className={`button${timeUp ? '' : ' button-primary'}`}
          disabled={phase.name === 'paying' || timeUp}
          onClick={() => void askToPay()}
        >
          {phase.name === 'paying'
            ? t('order.paying')
            : phase.name === 'refused'
              ? t('common.retry')
              : t('order.pay', { amount })}
        </button>
      )}
      {phase.name === 'confirm' && (
        <ConfirmPayment
          request={phase.request}
          onPay={() => void pay()}
          onCancel={() => setPhase({ name: 'idle' })}
        />
      )}
      {!timeUp && (
        <button type="button" className="button button-quiet" onClick={() => void cancel()}>
          {t('order.cancelOrder')}
        </button>
      )}
    </>
  );
}

/** One key per order: a retry after a lost answer replays the payment, never pays twice. */
async function paymentKey(orderId: string): Promise<string> {
  const keyName = `pay:${orderId}`;
  let key = await getItem<string>('kv', keyName);
  if (!key) {
    key = newIdempotencyKey('pay');
    await putItem('kv', key, keyName);
  }
  return key;
}

/** Short of crypto: how much, and the exchange's buy page, which comes back to this order. */
function ShortOfCrypto({
  order,
  payment,
  shortBy,
}: {
  order: Order;
  payment: NonNullable<Order['payment']>;
  shortBy: string;
}) {
  const { exchange } = useApis();
  const { t, fmt } = useI18n();
  const buyPage = safeBuyPageUrl(payment.buyPageUrl, exchange.baseUrl);
  return (
    <>
      <Message kind="warning">
        {t('order.short', { amount: fmt.money(shortBy, order.asset) })}
      </Message>
      {buyPage && (
        <>
          <BuyPageLink href={buyPage}>{t('order.buyCrypto', { asset: order.asset })}</BuyPageLink>
          <p className="hint">{t('order.buyCryptoNote')}</p>
        </>
      )}
    </>
  );
}

/** The tickets just issued, once they are on this device. */
function IssuedTickets({ order, ready }: { order: Order; ready: boolean }) {
  const { t } = useI18n();
  const pass = usePassPerformance(order.performanceId);
  return (
    <section className="card" aria-labelledby="issued-title">
      <h2 id="issued-title">{t(productWord('order.issued', pass))}</h2>
      {!ready && <Loading />}
      {ready && (
        <ul className="list plain">
          {order.tickets.map((ticket) => (
            <li key={ticket.id}>
              <Link
                className="button button-primary"
                to={`/tickets/${ticket.id}`}
                data-ticket-id={ticket.id}
              >
                {t(productWord('order.openTicket', pass))} ({ticket.number})
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The one confirmation before paying (S130): the amount and the payee as the exchange states them. */
function ConfirmPayment({
  request,
  onPay,
  onCancel,
}: {
  request: PaymentRequest;
  onPay(): void;
  onCancel(): void;
}) {
  const { t, fmt } = useI18n();
  return (
    <ConfirmDialog
      title={t('order.payConfirmTitle')}
      text={t('order.payConfirm', {
        amount: fmt.money(request.amount, request.asset),
        merchant: request.merchant.displayName,
      })}
      confirm={t('order.payConfirmButton')}
      dismiss={t('common.back')}
      onConfirm={onPay}
      onDismiss={onCancel}
    />
  );
}

/**
 * The buy page link from the order, followed only if it goes to the exchange the app knows:
 * the buyer signs in there, so a link elsewhere could be a phishing page.
 */
function safeBuyPageUrl(link: string, exchangeUrl: string): string | undefined {
  try {
    const url = new URL(link);
    return url.origin === new URL(exchangeUrl).origin && url.pathname === '/buy'
      ? url.href
      : undefined;
  } catch {
    return undefined;
  }
}

/** The rate the order's amounts imply ("1 USDT = 1,407.5 KRW"), to two decimals. */
function lockedRate(
  fiatAmount: string,
  cryptoAmount: string,
  asset: string,
  fiat: string,
  fmt: Formats,
): string {
  const rate = divide(fiatAmount, cryptoAmount, 2);
  return rate === undefined ? '—' : fmt.rate(asset, rate, fiat);
}
