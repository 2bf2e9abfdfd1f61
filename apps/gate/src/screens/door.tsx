/**
 * Door sales (unit 404): pick a performance, a category and how many; the terminal shows the
 * payment request as a QR code that the buyer's Tessera app scans and pays from its wallet. The
 * terminal asks every second how the sale stands; once paid, the server has issued the tickets
 * to the buyer's phone and admitted them here, and the screen turns green. Only what the
 * organizer lets the gates sell is offered (door-rules.ts); when door sales are off for the
 * performance the screen says so and offers nothing.
 */
import type { Formats } from '@tessera/web-kit/format';
import QRCode from 'qrcode';
import { type FormEvent, useEffect, useState } from 'react';
import {
  ApiError,
  type Availability,
  type DoorSale,
  type PackageCategory,
  type PackagePerformance,
  type Price,
} from '../api.ts';
import { chosenCategory, doorChoices } from '../door-rules.ts';
import { errorKey } from '../errors.ts';
import { useGate } from '../gate-context.ts';
import { type MessageKey, useI18n } from '../i18n.ts';
import { Alert } from '../widgets.tsx';

/** The contract: the terminal polls the sale every second while it shows the code. */
const pollMs = 1_000;

function priceText(price: Price, fmt: Formats): string {
  return fmt.money(price.amount, 'asset' in price ? price.asset : price.fiat);
}

export function DoorSaleScreen() {
  const { t } = useI18n();
  const { terminal, state } = useGate();
  const performances = state.performances.filter(
    (performance) => performance.status === 'scheduled',
  );
  const [performanceId, setPerformanceId] = useState(performances[0]?.id ?? '');
  const performance = performances.find((p) => p.id === performanceId) ?? performances[0];
  const choices = doorChoices(performance);
  const [picked, setCategoryId] = useState('');
  const categoryId = chosenCategory(choices, picked);
  const [asked, setQuantity] = useState(1);
  // The organizer may lower the maximum while a number is typed: never offer more.
  const quantity = Math.min(asked, choices.maxPerSale);
  const [sale, setSale] = useState<DoorSale>();
  const offer = useOffer(performance);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const failed = (failure: unknown) => {
    // The refusals a seller can act on, in words (errors.ts); anything else shows the server's.
    const known = failure instanceof ApiError ? errorKey(failure.code) : undefined;
    setError(
      known
        ? t(known)
        : t('error.unexpected', {
            message: failure instanceof Error ? failure.message : String(failure),
          }),
    );
  };

  const sell = async (event: FormEvent) => {
    event.preventDefault();
    if (!performance) return;
    setBusy(true);
    setError(undefined);
    try {
      setSale(await terminal.server.sellAtDoor(performance.id, categoryId, quantity));
    } catch (failure) {
      failed(failure);
    } finally {
      setBusy(false);
    }
  };

  if (sale)
    return <SaleInProgress sale={sale} onChange={setSale} onDone={() => setSale(undefined)} />;
  return (
    <section className="screen" aria-labelledby="door-title">
      <h1 id="door-title">{t('door.title')}</h1>
      {state.mode === 'offline' && (
        <p className="warning" role="status">
          {t('door.needsOnline')}
        </p>
      )}
      <form className="form" onSubmit={sell}>
        {performances.length > 1 && (
          <PerformanceChoice
            performances={performances}
            chosen={performance}
            onChoose={setPerformanceId}
          />
        )}
        {choices.enabled ? (
          <>
            <CategoryChoices
              categories={choices.categories}
              chosen={categoryId}
              onChoose={setCategoryId}
              offer={offer}
            />
            <QuantityField quantity={quantity} max={choices.maxPerSale} onChange={setQuantity} />
          </>
        ) : (
          performance && (
            <p className="warning" role="status" data-testid="door-off">
              {t('door.off')}
            </p>
          )
        )}
        <button
          type="submit"
          className="primary"
          disabled={busy || !choices.enabled || state.mode === 'offline'}
        >
          {t('door.sell')}
        </button>
      </form>
      <Alert text={error} />
    </section>
  );
}

/** Prices and places left, when the server answers (the package carries neither). */
function useOffer(performance: PackagePerformance | undefined) {
  const { terminal, state } = useGate();
  const [offer, setOffer] = useState<Availability>();
  useEffect(() => {
    if (!performance || state.mode === 'offline') return;
    let current = true;
    terminal.server
      .availability(performance.id)
      .then((answer) => current && setOffer(answer))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [performance, state.mode, terminal]);
  return offer;
}

function PerformanceChoice({
  performances,
  chosen,
  onChoose,
}: {
  performances: PackagePerformance[];
  chosen: PackagePerformance | undefined;
  onChoose(id: string): void;
}) {
  const { t, fmt } = useI18n();
  const { state } = useGate();
  return (
    <label>
      {t('door.performance')}
      <select value={chosen?.id} onChange={(event) => onChoose(event.target.value)}>
        {performances.map((p) => (
          <option key={p.id} value={p.id}>
            {p.eventName} · {fmt.dateTime(p.startsAt, state.venue?.timeZone)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The categories the gate may sell as radio buttons, the first chosen until another is. */
function CategoryChoices({
  categories,
  chosen,
  onChoose,
  offer,
}: {
  categories: PackageCategory[];
  chosen: string;
  onChoose(id: string): void;
  offer: Availability | undefined;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="choices">
      <legend>{t('door.category')}</legend>
      {categories.map((category) => (
        <label key={category.id} className={chosen === category.id ? 'chosen' : ''}>
          <input
            type="radio"
            name="category"
            checked={chosen === category.id}
            onChange={() => onChoose(category.id)}
          />
          {category.name}
          <OfferText offer={offer?.categories.find((line) => line.id === category.id)} />
        </label>
      ))}
    </fieldset>
  );
}

/** How many tickets, up to what one sale may hold for this performance. */
function QuantityField({
  quantity,
  max,
  onChange,
}: {
  quantity: number;
  max: number;
  onChange(quantity: number): void;
}) {
  const { t } = useI18n();
  return (
    <label>
      {t('door.quantity')}
      <input
        type="number"
        min={1}
        max={max}
        value={quantity}
        onChange={(event) => onChange(Math.min(max, Math.max(1, Number(event.target.value) || 1)))}
      />
    </label>
  );
}

function SaleInProgress({
  sale,
  onChange,
  onDone,
}: {
  sale: DoorSale;
  onChange(sale: DoorSale): void;
  onDone(): void;
}) {
  const { terminal } = useGate();
  const [qr, setQr] = useState<string>();
  const [now, setNow] = useState(Date.now());
  const open = sale.status === 'open' || sale.status === 'claimed';

  useEffect(() => {
    QRCode.toDataURL(sale.claimUrl, { errorCorrectionLevel: 'M', margin: 2, width: 320 })
      .then(setQr)
      .catch((error: unknown) => console.error('the payment code could not be drawn', error));
  }, [sale.claimUrl]);

  useEffect(() => {
    if (!open) return;
    const timer = setInterval(() => {
      setNow(Date.now());
      terminal.server
        .doorSale(sale.id)
        .then((next) => {
          onChange(next);
          // The server admitted the tickets: the feed brings them, a sync makes it certain.
          if (next.status === 'admitted') void terminal.sync().catch(() => undefined);
        })
        .catch((error: unknown) => console.warn('door sale poll failed', error));
    }, pollMs);
    return () => clearInterval(timer);
  }, [open, sale.id, terminal, onChange]);

  const cancel = async () => {
    try {
      onChange(await terminal.server.cancelDoorSale(sale.id));
    } catch (error) {
      console.warn('cancelling the door sale failed', error);
    }
  };

  if (!open) return <SaleOutcome sale={sale} onDone={onDone} />;
  return <SaleWaiting sale={sale} qr={qr} now={now} onCancel={cancel} />;
}

/** The payment code, waiting for the buyer's app to claim and pay it before it expires. */
function SaleWaiting({
  sale,
  qr,
  now,
  onCancel,
}: {
  sale: DoorSale;
  qr: string | undefined;
  now: number;
  onCancel(): void;
}) {
  const { t, fmt } = useI18n();
  const clock = fmt.countdown(Math.round((Date.parse(sale.expiresAt) - now) / 1000));
  return (
    <section
      className="screen door-sale"
      aria-labelledby="sale-title"
      data-testid="door-sale"
      data-status={sale.status}
    >
      <h1 id="sale-title">{sale.category}</h1>
      <p className="price">
        {t('door.price', { quantity: sale.quantity, price: priceText(sale.price, fmt) })}
      </p>
      <p>{t('door.scanToPay')}</p>
      {qr && (
        <img
          className="pay-qr"
          src={qr}
          alt={sale.claimUrl}
          data-testid="pay-qr"
          data-url={sale.claimUrl}
        />
      )}
      <p role="status">
        {t(sale.status === 'claimed' ? 'door.claimed' : 'door.waiting')} ·{' '}
        {t('door.expires', { time: clock })}
      </p>
      <button type="button" onClick={onCancel}>
        {t('door.cancel')}
      </button>
    </section>
  );
}

/** The end of the sale, green when paid and admitted, red when nothing was sold. */
function SaleOutcome({ sale, onDone }: { sale: DoorSale; onDone(): void }) {
  const { t } = useI18n();
  const admitted = sale.status === 'admitted';
  const outcome: MessageKey = admitted
    ? 'door.admitted'
    : sale.status === 'expired'
      ? 'door.expired'
      : sale.status === 'failed'
        ? 'door.failed'
        : 'door.cancelled';
  return (
    <section
      className={`screen door-done ${admitted ? 'result-pass' : 'result-stop'}`}
      role="alert"
      data-testid="door-sale"
      data-status={sale.status}
    >
      {admitted && <p className="result-title">{t('result.admit')}</p>}
      <p className="result-reason">{t(outcome, { count: sale.tickets.length || sale.quantity })}</p>
      <ul>
        {sale.tickets.map((ticket) => (
          <li key={ticket.id}>
            {[
              ticket.category,
              ticket.seat && `${ticket.seat.section} ${ticket.seat.row}-${ticket.seat.number}`,
              ticket.number,
            ]
              .filter(Boolean)
              .join(' · ')}
          </li>
        ))}
      </ul>
      <button type="button" className="primary" onClick={onDone}>
        {t('door.another')}
      </button>
    </section>
  );
}

function OfferText({ offer }: { offer: Availability['categories'][number] | undefined }) {
  const { t, fmt } = useI18n();
  if (!offer) return null;
  return (
    <span className="offer">
      {t('door.offer', { price: fmt.money(offer.price, offer.asset), left: offer.available })}
    </span>
  );
}
