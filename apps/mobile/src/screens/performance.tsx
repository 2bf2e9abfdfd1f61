/**
 * Choosing tickets for one performance (S120): a category, then seats on the map (live
 * availability, re-read every few seconds), the best seats together, or a number of
 * general-admission places. Sold out shows the alternatives the server offers (seed 001: another
 * date, another category, the best seats left). Then the seats are held and the order placed,
 * and the buyer goes on to pay.
 */

import { ApiError } from '@tessera/web-kit/http';
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Alternatives, Availability } from '../api/ticketing.ts';
import { useApis, useApp } from '../app-state.tsx';
import { Loading, Message, NeedsOnline, PayWith, ScreenTitle } from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { decimalsOf, formatMoney, fromUnits, toUnits } from '../money.ts';
import { Link, navigate } from '../router.tsx';
import { useLoad } from '../use-load.ts';

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
  const { ticketing, exchange } = useApis();
  const { failure } = useApp();
  const { t, formatDateTime } = useI18n();
  const loadPerformance = useCallback(
    () => ticketing.performance(performanceId),
    [ticketing, performanceId],
  );
  const performance = useLoad(loadPerformance);
  const loadAssets = useCallback(() => exchange.assets(), [exchange]);
  const assets = useLoad(loadAssets, 'exchange');
  const { availability, availabilityError, refresh } = useAvailability(performanceId);
  const [categoryId, setCategoryId] = useState<string>();
  const [mode, setMode] = useState<'map' | 'best'>('map');
  const [quantity, setQuantity] = useState(1);
  const [asset, setAsset] = useState('USDT');
  const [error, setError] = useState<string>();
  const [alternatives, setAlternatives] = useState<Alternatives>();
  const maxPerOrder = performance.value?.event.perOrderLimit ?? 10;
  const { selected, setSelected, toggleSeat } = useSeatSelection(
    availability,
    maxPerOrder,
    setError,
  );

  const categories = availability?.categories ?? [];
  const category = categories.find((c) => c.id === categoryId);
  useEffect(() => {
    if (!categoryId && categories.length > 0) {
      setCategoryId((categories.find((c) => c.available > 0) ?? categories[0])?.id);
    }
  }, [categoryId, categories]);

  const soldOut = category !== undefined && category.available === 0;
  const count = category?.seating === 'seated' && mode === 'map' ? selected.length : quantity;

  // Sold out: ask at once what else there is.
  useEffect(() => {
    if (!soldOut || !categoryId) return;
    ticketing
      .alternatives(performanceId, categoryId, 1)
      .then(setAlternatives, (e: unknown) => setError(failure(e)));
  }, [soldOut, categoryId, ticketing, performanceId, failure]);

  const chooseCategory = (next: Category) => {
    setCategoryId(next.id);
    setSelected([]);
    setQuantity(1);
    setAlternatives(undefined);
    setError(undefined);
    setMode(next.seating === 'seated' ? 'map' : 'best');
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
      <ScreenTitle>{info.event.name}</ScreenTitle>
      <p>
        {formatDateTime(info.startsAt)} ·{' '}
        <Link to={`/events/${info.event.id}`}>{t('perf.altDates')}</Link>
      </p>
      {availabilityError && <Message kind="warning">{availabilityError}</Message>}
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
          performanceId={performanceId}
          onCategory={(id) => {
            const next = categories.find((c) => c.id === id);
            if (next) chooseCategory(next);
          }}
          onSeats={(categoryIdOfSeats, seatIds) => {
            const next = categories.find((c) => c.id === categoryIdOfSeats);
            if (next) chooseCategory(next);
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
        names.set(id, `${row.section} ${row.row}-${row.numbers[index]}`);
      });
    }
    return names;
  }, [availability]);
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
  const { t, locale } = useI18n();
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
            <strong>{c.name}</strong> · {formatMoney(c.price, c.asset, locale)}
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
  const { t, locale } = useI18n();
  const total = priceTimes(category.price, count);
  return (
    <div className="checkout-bar">
      <p>
        {total === undefined
          ? ''
          : category.pricing === 'fiat'
            ? t('perf.totalFiat', { amount: formatMoney(total, category.asset, locale), asset })
            : t('perf.total', { amount: formatMoney(total, category.asset, locale) })}
      </p>
      {session ? (
        <button
          type="button"
          className="button button-primary"
          disabled={busy || count === 0}
          onClick={onBuy}
        >
          {busy ? t('perf.holding') : t('perf.continue')}
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

/**
 * The seats of one category, row by row, in the map's order (front first). Each seat is a
 * button that says its row, number and state; taken seats are shown but cannot be pressed.
 */
function SeatMap({
  availability,
  categoryId,
  selected,
  onToggle,
  max,
}: {
  availability: Availability;
  categoryId: string;
  selected: string[];
  onToggle(seatId: string): void;
  max: number;
}) {
  const { t } = useI18n();
  const seats = availability.seats;
  if (!seats) return null;
  const index = seats.categoryIds.indexOf(categoryId);
  const rows = seats.rows
    .map((row) => ({
      ...row,
      positions: row.ids.map((_, i) => i).filter((i) => row.categories[i] === index),
    }))
    .filter((row) => row.positions.length > 0);
  return (
    <section className="seat-map" aria-labelledby="seat-map-title">
      <h2 id="seat-map-title">{t('perf.pickSeats')}</h2>
      <p className="hint">{t('perf.mapHint')}</p>
      <p aria-live="polite">{t('perf.selected', { count: selected.length, max })}</p>
      <div className="stage" aria-hidden="true">
        {t('perf.stage')}
      </div>
      <div className="seat-rows">
        {rows.map((row) => (
          <fieldset key={`${row.section}/${row.row}`} className="seat-row">
            <legend className="visually-hidden">
              {`${row.section} ${t('perf.row', { row: row.row })}`}
            </legend>
            <span className="row-label" aria-hidden="true">
              {row.row}
            </span>
            {row.positions.map((i) => {
              const id = row.ids[i] as string;
              const free = row.status[i] === 'a';
              const isSelected = selected.includes(id);
              const accessible = row.accessible.includes(i);
              const state = isSelected
                ? t('perf.seatSelected')
                : free
                  ? t('perf.seatAvailable')
                  : t('perf.seatTaken');
              return (
                <button
                  key={id}
                  type="button"
                  className={`seat${isSelected ? ' seat-selected' : ''}${free ? '' : ' seat-taken'}${accessible ? ' seat-accessible' : ''}`}
                  aria-pressed={isSelected}
                  disabled={!free && !isSelected}
                  aria-label={t('perf.seatLabel', {
                    row: row.row,
                    number: row.numbers[i] ?? '',
                    accessible: accessible ? t('perf.seatAccessible') : '',
                    state,
                  })}
                  data-seat={`${row.section}/${row.row}/${row.numbers[i]}`}
                  onClick={() => onToggle(id)}
                >
                  {row.numbers[i]}
                </button>
              );
            })}
          </fieldset>
        ))}
      </div>
    </section>
  );
}

function Quantity({
  value,
  max,
  onChange,
}: {
  value: number;
  max: number;
  onChange(value: number): void;
}) {
  const { t } = useI18n();
  const clamp = (n: number) => Math.max(1, Math.min(max, n));
  return (
    <fieldset className="quantity">
      <legend>{t('perf.quantity')}</legend>
      <button
        type="button"
        className="button"
        aria-label={t('perf.fewer')}
        disabled={value <= 1}
        onClick={() => onChange(clamp(value - 1))}
      >
        −
      </button>
      <output aria-live="polite">{value}</output>
      <button
        type="button"
        className="button"
        aria-label={t('perf.more')}
        disabled={value >= max}
        onClick={() => onChange(clamp(value + 1))}
      >
        +
      </button>
    </fieldset>
  );
}

function AlternativesView({
  alternatives,
  performanceId,
  onCategory,
  onSeats,
}: {
  alternatives: Alternatives;
  performanceId: string;
  onCategory(categoryId: string): void;
  onSeats(categoryId: string, seatIds: string[]): void;
}) {
  const { t, formatDateTime, locale } = useI18n();
  const dates = alternatives.performances.filter((p) => p.id !== performanceId);
  const nothing =
    dates.length === 0 && alternatives.categories.length === 0 && !alternatives.bestAvailable;
  return (
    <section className="card alternatives" aria-labelledby="alternatives-title">
      <h2 id="alternatives-title">{t('perf.alternatives')}</h2>
      {nothing && <p>{t('perf.noAlternatives')}</p>}
      {alternatives.bestAvailable && (
        <p>
          {t('perf.altSeats', { seats: alternatives.bestAvailable.labels.join(', ') })}{' '}
          <button
            type="button"
            className="button"
            onClick={() => {
              const best = alternatives.bestAvailable;
              if (best) onSeats(best.categoryId, best.seatIds);
            }}
          >
            {t('perf.altTake')}
          </button>
        </p>
      )}
      {alternatives.categories.length > 0 && (
        <>
          <h3>{t('perf.altCategories')}</h3>
          <ul className="list plain">
            {alternatives.categories.map((c) => (
              <li key={c.id}>
                <button type="button" className="button" onClick={() => onCategory(c.id)}>
                  {c.name} · {formatMoney(c.price, c.asset, locale)} ·{' '}
                  {t('perf.left', { count: c.available })}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {dates.length > 0 && (
        <>
          <h3>{t('perf.altDates')}</h3>
          <ul className="list plain">
            {dates.map((p) => (
              <li key={p.id}>
                <Link className="button" to={`/performances/${p.id}`}>
                  {formatDateTime(p.startsAt)} · {t('perf.left', { count: p.available })}
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
