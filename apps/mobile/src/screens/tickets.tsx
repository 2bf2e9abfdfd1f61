/**
 * The buyer's tickets, from the device's storage first (so they show with no network), then
 * brought up to date from the server: tickets sent to this number to add here, transfers offered
 * to accept or decline, and tickets no longer valid kept apart.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Transfer } from '../api/ticketing.ts';
import { useApp } from '../app-state.tsx';
import { Loading, Message, NeedsSession, ScreenTitle } from '../components.tsx';
import { useI18n } from '../i18n.ts';
import { Link } from '../router.tsx';
import { isActive, isPass, listTickets, type StoredTicket, syncTickets } from '../tickets.ts';
import { useTicketRefresh } from '../use-ticket-refresh.ts';
import { balanceText, seatLabel, seatText, stateText } from './ticket-text.ts';

export function TicketsScreen() {
  const { t } = useI18n();
  return (
    <>
      <ScreenTitle>{t('tickets.title')}</ScreenTitle>
      <NeedsSession reason={t('tickets.signInToSee')}>
        <TicketList />
      </NeedsSession>
    </>
  );
}

function TicketList() {
  const { session, device, ticketing, online, failure, notify } = useApp();
  const { t, fmt } = useI18n();
  const [tickets, setTickets] = useState<StoredTicket[]>();
  const [incoming, setIncoming] = useState<Transfer[]>([]);
  const [syncedAt, setSyncedAt] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const userId = session?.userId;

  useEffect(() => {
    if (!userId) return;
    listTickets(userId).then(setTickets, (e: unknown) => setError(failure(e)));
  }, [userId, failure]);

  const sync = useCallback(async () => {
    if (!session || !device?.deviceId || !ticketing || !online) return;
    try {
      const result = await syncTickets(ticketing, session, device);
      setTickets(result.tickets);
      setIncoming(result.incoming);
      setSyncedAt(new Date().toISOString());
      setError(undefined);
    } catch (e) {
      setError(failure(e));
    }
  }, [session, device, ticketing, online, failure]);

  useEffect(() => {
    void sync();
  }, [sync]);
  // Back in the app (after the gate, say): what the gates did meanwhile.
  useTicketRefresh(sync, online);

  const act = async (id: string, work: () => Promise<unknown>, done: string) => {
    setBusy(id);
    try {
      await work();
      notify(done);
      await sync();
    } catch (e) {
      setError(failure(e));
    } finally {
      setBusy(undefined);
    }
  };

  if (!tickets) return <Loading />;
  const waiting = tickets.filter((ticket) => ticket.status === 'awaiting_device');
  const active = tickets.filter(isActive);
  const inactive = tickets.filter(
    (ticket) => ticket.status !== 'awaiting_device' && !isActive(ticket),
  );

  return (
    <>
      {error && <Message kind="error">{error}</Message>}
      <p className="hint">
        {syncedAt
          ? t('tickets.lastSync', { time: fmt.clock(syncedAt) })
          : !online && storedAsOf(tickets)
            ? t('tickets.asOf', { time: fmt.stamp(storedAsOf(tickets) as string) })
            : t('tickets.notSynced')}
      </p>
      {(waiting.length > 0 || incoming.length > 0) && (
        <SentToYou waiting={waiting} incoming={incoming} busy={busy} act={act} />
      )}
      <UpcomingTickets tickets={active} othersKept={inactive.length > 0} />
      {inactive.length > 0 && <InactiveTickets tickets={inactive} />}
    </>
  );
}

/** The tickets to use: valid here, or on another device (to move here). */
function UpcomingTickets({
  tickets,
  othersKept,
}: {
  tickets: StoredTicket[];
  /** Some used or no longer valid are listed below: the buyer has had tickets. */
  othersKept: boolean;
}) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="mine">
      <h2 id="mine">{t('tickets.upcoming')}</h2>
      {tickets.length === 0 ? (
        <div className="card">
          <p>{t(othersKept ? 'tickets.noneActive' : 'tickets.empty')}</p>
          <Link className="button button-primary" to="/events">
            {t('tickets.browse')}
          </Link>
        </div>
      ) : (
        <ul className="list">
          {tickets.map((ticket) => (
            <li key={ticket.id}>
              <Link
                className="card card-link"
                to={`/tickets/${ticket.id}`}
                data-ticket-id={ticket.id}
              >
                <TicketSummary ticket={ticket} />
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Tickets no longer valid here, kept apart. */
function InactiveTickets({ tickets }: { tickets: StoredTicket[] }) {
  const { t } = useI18n();
  return (
    <section aria-labelledby="inactive">
      <h2 id="inactive">{t('tickets.inactive')}</h2>
      <ul className="list">
        {tickets.map((ticket) => (
          <li key={ticket.id}>
            <Link className="card card-link card-inactive" to={`/tickets/${ticket.id}`}>
              <TicketSummary ticket={ticket} />
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Runs one change for a ticket or transfer (`id` is busy meanwhile), then syncs. */
type Act = (id: string, work: () => Promise<unknown>, done: string) => Promise<void>;

/** Tickets sent to this number waiting for this device, and transfers offered to it. */
function SentToYou({
  waiting,
  incoming,
  busy,
  act,
}: {
  waiting: StoredTicket[];
  incoming: Transfer[];
  busy: string | undefined;
  act: Act;
}) {
  const { session, device, ticketing, online } = useApp();
  const { t } = useI18n();
  return (
    <section aria-labelledby="for-you">
      <h2 id="for-you">{t('tickets.sentToYou')}</h2>
      <ul className="list">
        {waiting.map((ticket) => (
          <li key={ticket.id} className="card">
            <TicketSummary ticket={ticket} />
            <button
              type="button"
              className="button button-primary"
              disabled={busy !== undefined || !online || !device?.deviceId}
              onClick={() =>
                act(
                  ticket.id,
                  () =>
                    ticketing && session && device?.deviceId
                      ? ticketing.claim(session.token, ticket.id, device.deviceId)
                      : Promise.reject(new Error(t('common.needsOnline'))),
                  t('tickets.claimed'),
                )
              }
            >
              {t('tickets.addHere')}
            </button>
          </li>
        ))}
        {incoming.map((transfer) => (
          <IncomingTransfer key={transfer.id} transfer={transfer} busy={busy} act={act} />
        ))}
      </ul>
    </section>
  );
}

/** A transfer offered to this number: who from, what, and accept or decline. */
function IncomingTransfer({
  transfer,
  busy,
  act,
}: {
  transfer: Transfer;
  busy: string | undefined;
  act: Act;
}) {
  const { session, device, ticketing, online } = useApp();
  const { t, fmt } = useI18n();
  return (
    <li className="card">
      {/* Who sends it: their first name if they gave one, else their number masked. */}
      <h3>
        {t('tickets.sentYou', {
          sender: transfer.fromName ?? transfer.fromPhone,
          event: transfer.ticket.event,
        })}
      </h3>
      <p>{fmt.dateTime(transfer.ticket.startsAt, transfer.ticket.timeZone)}</p>
      <p>{seatLabel(transfer.ticket.seat, transfer.ticket.category, t)}</p>
      <div className="actions">
        <button
          type="button"
          className="button button-primary"
          disabled={busy !== undefined || !online || !device?.deviceId}
          onClick={() =>
            act(
              transfer.id,
              () =>
                ticketing && session && device?.deviceId
                  ? ticketing.acceptTransfer(session.token, transfer.id, device.deviceId)
                  : Promise.reject(new Error(t('common.needsOnline'))),
              t('tickets.accepted'),
            )
          }
        >
          {t('tickets.accept')}
        </button>
        <button
          type="button"
          className="button"
          disabled={busy !== undefined || !online}
          onClick={() =>
            act(
              transfer.id,
              () =>
                ticketing && session
                  ? ticketing.declineTransfer(session.token, transfer.id)
                  : Promise.reject(new Error(t('common.needsOnline'))),
              t('tickets.declined'),
            )
          }
        >
          {t('tickets.decline')}
        </button>
      </div>
    </li>
  );
}

/** When the server last confirmed the stored tickets (the oldest of them), if ever. */
function storedAsOf(tickets: readonly StoredTicket[]): string | undefined {
  const times = tickets.map((ticket) => ticket.syncedAt).filter((time) => time > 0);
  return times.length > 0 ? new Date(Math.min(...times)).toISOString() : undefined;
}

function TicketSummary({ ticket }: { ticket: StoredTicket }) {
  const { t, fmt, locale } = useI18n();
  const zone = ticket.event.venue.timeZone;
  const formatDateTime = (iso: string) => fmt.dateTime(iso, zone);
  const state = stateText(ticket, t, { formatDateTime, locale });
  const balance = state.state === 'valid' ? balanceText(ticket, t, locale) : undefined;
  return (
    <>
      <h3>{ticket.event.name}</h3>
      <p>
        {isPass(ticket)
          ? t('ticket.valid', {
              from: formatDateTime(ticket.entitlement.validFrom),
              until: formatDateTime(ticket.entitlement.validUntil),
            })
          : formatDateTime(ticket.performance.startsAt)}
      </p>
      <p>{seatText(ticket, t)}</p>
      {balance && <p>{balance}</p>}
      <p className={`badge badge-${state.tone}`} data-state={state.state}>
        {state.text}
      </p>
    </>
  );
}
