/**
 * Choosing tickets for one performance (S120): a category, then seats on the map (live
 * availability, re-read every few seconds), the best seats together, or a number of
 * general-admission places. Sold out shows the alternatives the server offers (seed 001: another
 * date, another category, the best seats left). Then the seats are held and the order placed,
 * and the buyer goes on to pay.
 */

import { ApiError } from '@tessera/web-kit/http';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Alternatives, Availability, Performance } from '../api/ticketing.ts';
import { useApis, useApp } from '../app-state.tsx';
import { Loading, Message, NeedsOnline, PayWith, ScreenTitle } from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { decimalsOf, fromUnits, toUnits } from '../money.ts';
import { productWord, usePassPerformance } from '../product-words.ts';
import { Link, navigate } from '../router.tsx';
import { seatWords } from '../seat-words.ts';
import { useLoad } from '../use-load.ts';
import { AlternativesView } from './alternatives.tsx';
import { Quantity, SeatMap } from './seat-map.tsx';

/** How often the seat map asks what is still free while the screen is open and visible. */
const availabilityRefreshMs = 8_000;

export default function PerformanceScreen({ performanceId }: { performanceId: string }) {
  return (
    <NeedsOnline>
      <PerformanceView performanceId={performanceId} />
    </NeedsOnline>
  );
}

type Category = Availability['categories'][number];

function PerformanceView({ performanceId }: { performanceId: string }) {
  const { performance, assets } = usePerformanceInfo(performanceId);
  const { availability, availabilityError, refresh } = useAvailability(performanceId);
  const categories = availability?.categories ?? [];
  const [categoryId, setCategoryId] = useChosenCategory(categories);
  const [mode, setMode] = useState<'map' | 'best'>('map');
  const [quantity, setQuantity] = useState(1);
  const [asset, setAsset] = useState('USDT');
  const [error, setError] = useState<string>();
  const maxPerOrder = performance.value?.event.perOrderLimit ?? 10;
  const { selected, setSelected, toggleSeat } = useSeatSelection(
    availability,
    maxPerOrder,
    setError,
  );

  const category = categories.find((c) => c.id === categoryId);

  const soldOut = category !== undefined && category.available === 0;
  const count = category?.seating === 'seated' && mode === 'map' ? selected.length : quantity;
  const [alternatives, setAlternatives] = useAlternatives(
    performanceId,
    soldOut ? categoryId : undefined,
    setError,
  );

  const chooseCategory = (next: Category) => {
    setCategoryId(next.id);
    setSelected([]);
    setQuantity(1);
    setAlternatives(undefined);
    setError(undefined);
    setMode(next.seating === 'seated' ? 'map' : 'best');
  };
  const chooseById = (id: string) => {
    const next = categories.find((c) => c.id === id);
    if (next) chooseCategory(next);
  };

  const { busy, placeOrder } = usePlaceOrder(performanceId, refresh, setError, setAlternatives);
  const buy = () => {
    if (!category) return Promise.resolve();
    const seated = category.seating === 'seated' && mode === 'map';
    return placeOrder(category, seated ? { seats: selected } : { quantity }, asset);
  };

  if (performance.error) return <Message kind="error">{performance.error}</Message>;
  if (!performance.value || !availability) {
    return availabilityError ? <Message kind="error">{availabilityError}</Message> : <Loading />;
  }
  const info = performance.value;
  const choosing = category && !soldOut ? category : undefined;

  return (
    <>
      <PerformanceHeading performance={info} availabilityError={availabilityError} />
      <CategoryChoices categories={categories} chosen={categoryId} onChoose={chooseCategory} />
      {choosing && (
        <ChooseTickets
          category={choosing}
          availability={availability}
          mode={mode}
          onMode={setMode}
          selected={selected}
          onToggle={toggleSeat}
          quantity={quantity}
          onQuantity={setQuantity}
          maxPerOrder={maxPerOrder}
          assets={assets.value?.assets}
          asset={asset}
          onAsset={setAsset}
        />
      )}
      {error && <Message kind="error">{error}</Message>}
      {alternatives && (
        <AlternativesView
          alternatives={alternatives}
          performance={info}
          onCategory={chooseById}
          onSeats={(categoryIdOfSeats, seatIds) => {
            chooseById(categoryIdOfSeats);
            setMode('map');
            setSelected(seatIds.slice(0, maxPerOrder));
            setAlternatives(undefined);
          }}
        />
      )}
      {choosing && (
        <CheckoutBar
          category={choosing}
          count={count}
          asset={asset}
          busy={busy}
          onBuy={() => void buy()}
          performanceId={performanceId}
        />
      )}
    </>
  );
}

/** The category chosen: at first the first one with places left (else the first). */
function useChosenCategory(categories: Category[]) {
  const [categoryId, setCategoryId] = useState<string>();
  useEffect(() => {
    if (!categoryId && categories.length > 0) {
      setCategoryId((categories.find((c) => c.available > 0) ?? categories[0])?.id);
    }
  }, [categoryId, categories]);
  return [categoryId, setCategoryId] as const;
}

/** The performance (its event, time and limit per order) and the exchange's assets. */
function usePerformanceInfo(performanceId: string) {
  const { ticketing, exchange } = useApis();
  const loadPerformance = useCallback(
    () => ticketing.performance(performanceId),
    [ticketing, performanceId],
  );
  const performance = useLoad(loadPerformance);
  const loadAssets = useCallback(() => exchange.assets(), [exchange]);
  const assets = useLoad(loadAssets, 'exchange');
  return { performance, assets };
}

/** What else there is, asked at once when the chosen category (`soldOutCategoryId`) sold out. */
function useAlternatives(
  performanceId: string,
  soldOutCategoryId: string | undefined,
  setError: (error: string | undefined) => void,
) {
  const { ticketing } = useApis();
  const { failure } = useApp();
  const [alternatives, setAlternatives] = useState<Alternatives>();
  useEffect(() => {
    if (!soldOutCategoryId) return;
    ticketing
      .alternatives(performanceId, soldOutCategoryId, 1)
      .then(setAlternatives, (e: unknown) => setError(failure(e)));
  }, [soldOutCategoryId, ticketing, performanceId, failure, setError]);
  return [alternatives, setAlternatives] as const;
}

function PerformanceHeading({
  performance,
  availabilityError,
}: {
  performance: Performance & { event: { id: string; name: string } };
  availabilityError: string | undefined;
}) {
  const { t, fmt } = useI18n();
  return (
    <>
      <ScreenTitle>{performance.event.name}</ScreenTitle>
      <p>
        {fmt.dateTime(performance.startsAt, performance.venue.timeZone)} ·{' '}
        <Link to={`/events/${performance.event.id}`}>{t('perf.altDates')}</Link>
      </p>
      {availabilityError && <Message kind="warning">{availabilityError}</Message>}
    </>
  );
}

/** What is still free, read at once and every few seconds while the screen is visible. */
function useAvailability(performanceId: string) {
  const { ticketing } = useApis();
  const { failure } = useApp();
  const [availability, setAvailability] = useState<Availability>();
  const [availabilityError, setAvailabilityError] = useState<string>();
  const refresh = useCallback(
    async (signal?: AbortSignal) => {
      try {
        const next = await ticketing.availability(performanceId, signal);
        setAvailability(next);
        setAvailabilityError(undefined);
      } catch (e) {
        if (!signal?.aborted) setAvailabilityError(failure(e));
      }
    },
    [ticketing, performanceId, failure],
  );

  useEffect(() => {
    const controller = new AbortController();
    void refresh(controller.signal);
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void refresh(controller.signal);
    }, availabilityRefreshMs);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [refresh]);
  return { availability, availabilityError, refresh };
}

/** The seats picked on the map; seats someone else took meanwhile leave it, with a word why. */
function useSeatSelection(
  availability: Availability | undefined,
  maxPerOrder: number,
  setError: (error: string | undefined) => void,
) {
  const { notify } = useApp();
  const { t } = useI18n();
  const [selected, setSelected] = useState<string[]>([]);
  const freeSeats = useMemo(() => {
    const free = new Set<string>();
    for (const row of availability?.seats?.rows ?? []) {
      row.ids.forEach((id, index) => {
        if (row.status[index] === 'a') free.add(id);
      });
    }
    return free;
  }, [availability]);
  const seatNames = useMemo(() => {
    const names = new Map<string, string>();
    for (const row of availability?.seats?.rows ?? []) {
      row.ids.forEach((id, index) => {
        names.set(
          id,
          seatWords({ section: row.section, row: row.row, number: row.numbers[index] ?? '' }, t),
        );
      });
    }
    return names;
  }, [availability, t]);
  useEffect(() => {
    const taken = selected.filter((id) => !freeSeats.has(id));
    if (taken.length > 0 && availability) {
      setSelected((current) => current.filter((id) => freeSeats.has(id)));
      for (const id of taken) notify(t('perf.taken', { seat: seatNames.get(id) ?? id }), 'error');
    }
  }, [freeSeats, selected, availability, notify, t, seatNames]);

  const toggleSeat = (seatId: string) => {
    setError(undefined);
    setSelected((current) => {
      if (current.includes(seatId)) return current.filter((id) => id !== seatId);
      if (current.length >= maxPerOrder) {
        setError(t('perf.tooMany', { max: maxPerOrder }));
        return current;
      }
      return [...current, seatId];
    });
  };
  return { selected, setSelected, toggleSeat };
}

/**
 * Holds the seats (or places) and places the order, then goes on to pay. A refusal says why and
 * may bring alternatives; a hold whose order was never placed is released at once.
 */
function usePlaceOrder(
  performanceId: string,
  refresh: () => Promise<void>,
  setError: (error: string | undefined) => void,
  setAlternatives: (alternatives: Alternatives | undefined) => void,
) {
  const { ticketing } = useApis();
  const { session, ensureDevice, failure } = useApp();
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const placeOrder = async (
    category: Category,
    choice: { seats: string[] } | { quantity: number },
    asset: string,
  ) => {
    if (!session) return;
    setBusy(true);
    setError(undefined);
    setAlternatives(undefined);
    let holdId: string | undefined;
    try {
      const hold = await ticketing.hold(
        session.token,
        'seats' in choice
          ? { performanceId, seats: choice.seats }
          : { performanceId, categoryId: category.id, quantity: choice.quantity },
      );
      holdId = hold.id;
      const device = await ensureDevice();
      if (!device.deviceId) throw new Error(t('account.deviceNotRegistered'));
      const order = await ticketing.order(session.token, {
        holdId: hold.id,
        deviceId: device.deviceId,
        ...(category.pricing === 'fiat' ? { asset } : {}),
      });
      navigate(`/orders/${order.id}`);
    } catch (e) {
      setBusy(false);
      setError(failure(e));
      if (e instanceof ApiError && typeof e.details.alternatives === 'object') {
        setAlternatives(e.details.alternatives as Alternatives);
      }
      // An order that was never placed should not keep the seats from others (or count
      // against this buyer's limit) until the hold times out.
      if (holdId && !(e instanceof ApiError && e.code === 'hold_ordered')) {
        await ticketing.releaseHold(session.token, holdId).catch(() => undefined);
      }
      void refresh();
    }
  };
  return { busy, placeOrder };
}

function CategoryChoices({
  categories,
  chosen,
  onChoose,
}: {
  categories: Category[];
  chosen: string | undefined;
  onChoose(category: Category): void;
}) {
  const { t, fmt } = useI18n();
  return (
    <fieldset className="choices">
      <legend>{t('perf.category')}</legend>
      {categories.map((c) => (
        <label key={c.id} className={`choice${c.available === 0 ? ' choice-out' : ''}`}>
          <input
            type="radio"
            name="category"
            value={c.id}
            checked={c.id === chosen}
            onChange={() => onChoose(c)}
          />
          <span>
            <strong>{c.name}</strong> · {fmt.money(c.price, c.asset)}
            <br />
            <span className="hint">
              {c.available === 0 ? t('perf.soldOut') : t('perf.left', { count: c.available })}
            </span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/** For a category not sold out: seats on the map or the best ones, how many, and paid with what. */
function ChooseTickets({
  category,
  availability,
  mode,
  onMode,
  selected,
  onToggle,
  quantity,
  onQuantity,
  maxPerOrder,
  assets,
  asset,
  onAsset,
}: {
  category: Category;
  availability: Availability;
  mode: 'map' | 'best';
  onMode(mode: 'map' | 'best'): void;
  selected: string[];
  onToggle(seatId: string): void;
  quantity: number;
  onQuantity(quantity: number): void;
  maxPerOrder: number;
  assets: Parameters<typeof PayWith>[0]['assets'];
  asset: string;
  onAsset(asset: string): void;
}) {
  const { t } = useI18n();
  return (
    <>
      {category.seating === 'seated' && (
        <fieldset className="choices choices-inline">
          <legend className="visually-hidden">{t('perf.pickSeats')}</legend>
          <label className="choice">
            <input
              type="radio"
              name="mode"
              checked={mode === 'map'}
              onChange={() => onMode('map')}
            />
            <span>{t('perf.pickSeats')}</span>
          </label>
          <label className="choice">
            <input
              type="radio"
              name="mode"
              checked={mode === 'best'}
              onChange={() => onMode('best')}
            />
            <span>{t('perf.bestSeats')}</span>
          </label>
        </fieldset>
      )}
      {category.seating === 'seated' && mode === 'map' && (
        <SeatMap
          availability={availability}
          categoryId={category.id}
          selected={selected}
          onToggle={onToggle}
          max={maxPerOrder}
        />
      )}
      {(category.seating === 'ga' || mode === 'best') && (
        <Quantity
          value={quantity}
          max={Math.min(maxPerOrder, category.available)}
          onChange={onQuantity}
        />
      )}
      {category.pricing === 'fiat' && <PayWith assets={assets} value={asset} onChange={onAsset} />}
    </>
  );
}

/** The total and the way on: continue to pay, or sign in first. */
function CheckoutBar({
  category,
  count,
  asset,
  busy,
  onBuy,
  performanceId,
}: {
  category: Category;
  count: number;
  asset: string;
  busy: boolean;
  onBuy(): void;
  performanceId: string;
}) {
  const { session } = useApp();
  const { t, fmt } = useI18n();
  const pass = usePassPerformance(performanceId);
  const total = priceTimes(category.price, count);
  return (
    <div className="checkout-bar">
      <p>
        {total === undefined
          ? ''
          : category.pricing === 'fiat'
            ? t('perf.totalFiat', { amount: fmt.money(total, category.asset), asset })
            : t('perf.total', { amount: fmt.money(total, category.asset) })}
      </p>
      {session ? (
        <button
          type="button"
          className="button button-primary"
          disabled={busy || count === 0}
          onClick={onBuy}
        >
          {busy ? t(productWord('perf.holding', pass)) : t('perf.continue')}
        </button>
      ) : (
        <Link
          className="button button-primary"
          to={`/sign-in?next=${encodeURIComponent(`/performances/${performanceId}`)}`}
        >
          {t('perf.needSignIn')}
        </Link>
      )}
    </div>
  );
}

function priceTimes(price: string, count: number): string | undefined {
  const scale = decimalsOf(price);
  const units = toUnits(price, scale);
  return units === undefined ? undefined : fromUnits(units * BigInt(count), scale);
}
