/**
 * One ticket (units 308 and 312): what it is for, and while it is valid on this device the live
 * barcode (live-barcode.tsx) with the manual code under it, made from the stored credential and
 * the device key with no network. Online, the holder can offer it to another phone number, take
 * that offer back, or move a ticket that is on another device (or lost with an old key) to this
 * one (ticket-actions.tsx).
 */

import { useCallback, useEffect, useState } from 'react';
import { useApp } from '../app-state.tsx';
import { Loading, Message, NeedsSession, ScreenTitle } from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { Link } from '../router.tsx';
import {
  getTicket,
  isPass,
  isUsable,
  type StoredTicket,
  syncTickets,
  ticketState,
} from '../tickets.ts';
import { barcodeCheckMs, useTicketRefresh } from '../use-ticket-refresh.ts';
import { LiveBarcode } from './live-barcode.tsx';
import { TicketActions } from './ticket-actions.tsx';
import { balanceText, entitlementText, seatText, stateText } from './ticket-text.ts';

export function TicketScreen({ ticketId }: { ticketId: string }) {
  return (
    <NeedsSession>
      <TicketView ticketId={ticketId} />
    </NeedsSession>
  );
}

function TicketView({ ticketId }: { ticketId: string }) {
  const { session, device, ticketing, online, failure } = useApp();
  const { t } = useI18n();
  const [ticket, setTicket] = useState<StoredTicket | null>();
  const [error, setError] = useState<string>();

  const reload = useCallback(async () => {
    const stored = await getTicket(ticketId);
    setTicket(stored && stored.userId === session?.userId ? stored : null);
  }, [ticketId, session?.userId]);

  useEffect(() => {
    reload().catch((e: unknown) => setError(failure(e)));
  }, [reload, failure]);

  const sync = useCallback(async () => {
    if (!session || !device?.deviceId || !ticketing) return;
    await syncTickets(ticketing, session, device);
    await reload();
  }, [session, device, ticketing, reload]);

  // Online, check with the server once on opening (a refund or transfer made elsewhere), on
  // coming back to the app, and every few seconds while the barcode shows (a gate admitting it).
  useEffect(() => {
    if (online) sync().catch((e: unknown) => console.warn('ticket sync', e));
  }, [online, sync]);
  const showingBarcode = ticket ? isUsable(ticket) : false;
  useTicketRefresh(sync, online, showingBarcode ? barcodeCheckMs : undefined);

  if (ticket === undefined) return <Loading />;
  if (ticket === null) {
    return (
      <>
        <ScreenTitle>{t('ticket.title')}</ScreenTitle>
        {error && <Message kind="error">{error}</Message>}
        <Message kind="warning">{t('ticket.notFound')}</Message>
        <Link className="button" to="/">
          {t('common.home')}
        </Link>
      </>
    );
  }

  const usable = isUsable(ticket) && device !== undefined;
  const used = ticketState(ticket) === 'used';
  return (
    <article className="ticket">
      <ScreenTitle>{ticket.event.name}</ScreenTitle>
      {error && <Message kind="error">{error}</Message>}
      <TicketState ticket={ticket} />
      {usable && ticket.credential ? (
        <LiveBarcode credential={ticket.credential} device={device} eventName={ticket.event.name} />
      ) : (
        <Message kind={used ? 'info' : 'warning'}>{noBarcodeText(ticket, t)}</Message>
      )}
      {usable && ticket.manualCode && <ManualCode code={ticket.manualCode} />}
      <TicketFacts ticket={ticket} />
      {/* A used-up ticket can be neither given back nor passed on (the server refuses both). */}
      {!used && <TicketActions ticket={ticket} onChanged={sync} />}
    </article>
  );
}

/**
 * The state in words and colour, with a stored-value card's balance; offline, as of when the
 * server last confirmed it.
 */
function TicketState({ ticket }: { ticket: StoredTicket }) {
  const { online } = useApp();
  const { t, fmt, locale } = useI18n();
  // When it was used, at the venue's time, as the rest of the ticket reads.
  const formatDateTime = (iso: string) => fmt.dateTime(iso, ticket.event.venue.timeZone);
  const state = stateText(ticket, t, { formatDateTime, locale });
  const balance = state.state === 'valid' ? balanceText(ticket, t, locale) : undefined;
  return (
    <div className="ticket-state">
      <p className={`badge badge-${state.tone}`} data-state={state.state}>
        {state.text}
      </p>
      {balance && <p>{balance}</p>}
      {!online && <p className="hint">{t('state.asOf', { time: fmt.stamp(ticket.syncedAt) })}</p>}
    </div>
  );
}

/** Why there is no barcode: used, on another device, or no longer valid. */
function noBarcodeText(ticket: StoredTicket, t: ReturnType<typeof useI18n>['t']): string {
  if (ticketState(ticket) === 'used') {
    return t(
      ticket.entitlement.kind === 'stored_value' ? 'ticket.usedUpNotice' : 'ticket.usedNotice',
    );
  }
  return ticket.status === 'elsewhere' ? t('ticket.elsewhere') : t('ticket.noLongerValid');
}

/** "1234567890" as "123 456 7890", easier to read out at a gate. */
function groupDigits(digits: string): string {
  return digits.length === 10
    ? `${digits.slice(0, 3)} ${digits.slice(3, 6)} ${digits.slice(6)}`
    : digits.replace(/(\d{3})(?=\d)/g, '$1 ');
}

/** The number and PIN to type at a gate whose camera cannot read the barcode. */
function ManualCode({ code }: { code: NonNullable<StoredTicket['manualCode']> }) {
  const { t } = useI18n();
  return (
    <div className="manual-code">
      <p>{t('ticket.manualCode')}</p>
      <dl>
        <div>
          <dt>{t('ticket.number')}</dt>
          <dd className="digits">{groupDigits(code.ticketNumber)}</dd>
        </div>
        <div>
          <dt>{t('ticket.pin')}</dt>
          <dd className="digits">{groupDigits(code.pin)}</dd>
        </div>
      </dl>
    </div>
  );
}

/** When, where and what: the performance, the venue, the seat and what the ticket allows. */
function TicketFacts({ ticket }: { ticket: StoredTicket }) {
  const { t, fmt, locale } = useI18n();
  const pass = isPass(ticket);
  const zone = ticket.event.venue.timeZone;
  const { startsAt, doorsAt } = ticket.performance;
  return (
    <dl className="facts">
      <div>
        <dt>{t('ticket.when')}</dt>
        {pass ? (
          // A pass has no show and no doors: it is valid from one time to another.
          <dd>
            {t('ticket.valid', {
              from: fmt.dateTime(ticket.entitlement.validFrom, zone),
              until: fmt.dateTime(ticket.entitlement.validUntil, zone),
            })}
          </dd>
        ) : (
          <dd>
            {fmt.dateTime(startsAt, zone)}
            <br />
            <span className="hint">
              {t('ticket.doors', {
                // The doors open the same day as a rule: their time alone then says it.
                time:
                  fmt.date(doorsAt, zone) === fmt.date(startsAt, zone)
                    ? fmt.time(doorsAt, zone)
                    : fmt.dateTime(doorsAt, zone),
              })}
            </span>
          </dd>
        )}
      </div>
      <div>
        <dt>{t('ticket.where')}</dt>
        <dd>
          {ticket.event.venue.name}
          <br />
          <span className="hint">{ticket.event.venue.address}</span>
        </dd>
      </div>
      <div>
        <dt>{t(pass ? 'ticket.pass' : 'ticket.what')}</dt>
        <dd>
          {seatText(ticket, t)}
          <br />
          <span className="hint">{entitlementText(ticket.entitlement, t, locale)}</span>
        </dd>
      </div>
    </dl>
  );
}
