/**
 * The orders of the chosen performance, newest first, twenty a page: searched by order id,
 * ticket number or phone number (as people type them), each expandable to its tickets and
 * their state in words; with the refund permission, a ticket or the whole order is refunded from
 * here (refund-dialog.tsx).
 */
import { displayPhone, normalizePhone } from '@tessera/web-kit/phone';
import { Fragment, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Field } from '../ui/form.tsx';
import { Loaded } from '../ui/page.tsx';
import { type EventOrder, type OrderSearch, useEventOrders } from './api.ts';
import { RefundDialog, type RefundTarget } from './refund-dialog.tsx';
import { formatTicketNumber, isLive, refundStateKey, ticketStateKey } from './ticket-state.ts';

/** What the server's search takes (reports/orders.ts searchTerms), checked before asking. */
export function isSearchable(text: string) {
  const trimmed = text.trim();
  if (/^ord_[0-9a-z]{8,40}$/.test(trimmed)) return true;
  if (/^[0-9]{10}$/.test(trimmed.replace(/[\s.-]/g, ''))) return true;
  return normalizePhone(trimmed) !== undefined;
}

export function OrdersSection(props: { eventId: string; performanceId: string }) {
  const { t } = useI18n();
  const [q, setQ] = useState<string | undefined>(undefined);
  // The cursors of the pages before this one, to go back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([]);
  const [after, setAfter] = useState<string | undefined>(undefined);
  const search: OrderSearch = {
    performanceId: props.performanceId,
    ...(q ? { q } : {}),
    ...(after ? { after } : {}),
  };
  const orders = useEventOrders(props.eventId, search);
  const form = useForm<{ q: string }>({ defaultValues: { q: '' } });
  const submit = form.handleSubmit((values) => {
    setQ(values.q.trim() || undefined);
    setCursors([]);
    setAfter(undefined);
  });
  return (
    <section aria-labelledby="sales-orders">
      <h2 id="sales-orders">{t('sales.orders')}</h2>
      <form className="sales-search" onSubmit={submit} noValidate>
        <Field
          label={t('sales.search')}
          hint={t('sales.searchHint')}
          error={form.formState.errors.q}
        >
          <input
            type="search"
            {...form.register('q', {
              validate: (value) =>
                value.trim() === '' || isSearchable(value) || t('sales.searchInvalid'),
            })}
          />
        </Field>
        <button type="submit">{t('sales.searchButton')}</button>
      </form>
      <Loaded query={orders}>
        {(page) => (
          <>
            <p role="status">{t('sales.orderCount', { count: page.total })}</p>
            {page.orders.length > 0 ? (
              <OrdersTable eventId={props.eventId} orders={page.orders} />
            ) : null}
            <div className="sales-paging">
              <button
                type="button"
                disabled={cursors.length === 0}
                onClick={() => {
                  setAfter(cursors.at(-1));
                  setCursors(cursors.slice(0, -1));
                }}
              >
                {t('sales.newer')}
              </button>
              <button
                type="button"
                disabled={!page.next}
                onClick={() => {
                  setCursors([...cursors, after]);
                  setAfter(page.next ?? undefined);
                }}
              >
                {t('sales.older')}
              </button>
            </div>
          </>
        )}
      </Loaded>
    </section>
  );
}

function OrdersTable(props: { eventId: string; orders: readonly EventOrder[] }) {
  const { t, fmt } = useI18n();
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [refunding, setRefunding] = useState<RefundTarget | undefined>(undefined);
  const toggle = (id: string) => {
    const next = new Set(open);
    if (!next.delete(id)) next.add(id);
    setOpen(next);
  };
  return (
    <>
      <table className="sales-table sales-orders">
        <thead>
          <tr>
            <th scope="col">{t('sales.order')}</th>
            <th scope="col">{t('sales.orderedAt')}</th>
            <th scope="col">{t('sales.buyer')}</th>
            <th scope="col">{t('sales.orderTotal')}</th>
            <th scope="col">{t('sales.orderStatus')}</th>
            <th scope="col">{t('sales.tickets')}</th>
          </tr>
        </thead>
        <tbody>
          {props.orders.map((order) => (
            <Fragment key={order.id}>
              <tr data-order={order.id}>
                <th scope="row">
                  <button
                    type="button"
                    className="link"
                    aria-expanded={open.has(order.id)}
                    onClick={() => toggle(order.id)}
                  >
                    {order.id}
                  </button>
                </th>
                <td>{fmt.stamp(order.createdAt)}</td>
                <td>
                  {displayPhone(order.buyerPhone)}
                  {order.buyerFirstName ? ` (${order.buyerFirstName})` : ''}
                </td>
                <td>{fmt.money(order.total.amount, order.total.asset)}</td>
                <td>{t(orderStatusKey(order.status))}</td>
                <td>{fmt.count(order.tickets.length)}</td>
              </tr>
              {open.has(order.id) ? (
                <tr className="sales-order-tickets">
                  <td colSpan={6}>
                    <OrderTickets order={order} onRefund={setRefunding} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
      {refunding ? (
        <RefundDialog
          eventId={props.eventId}
          target={refunding}
          onClose={() => setRefunding(undefined)}
        />
      ) : null}
    </>
  );
}

function orderStatusKey(status: string) {
  switch (status) {
    case 'issued':
      return 'sales.orderIssued' as const;
    case 'refunded':
      return 'sales.orderRefunded' as const;
    case 'awaiting_payment':
    case 'creating':
      return 'sales.orderAwaitingPayment' as const;
    case 'cancelled':
      return 'sales.orderCancelled' as const;
    default:
      return 'sales.orderExpired' as const;
  }
}

function OrderTickets(props: { order: EventOrder; onRefund(target: RefundTarget): void }) {
  const { t, fmt } = useI18n();
  const organizer = useOrganizer();
  const { order } = props;
  const live = order.tickets.filter(isLive);
  const mayRefund = organizer.can('refund');
  return (
    <div>
      <ul className="sales-tickets">
        {order.tickets.map((ticket) => (
          <li key={ticket.id} data-ticket={ticket.number}>
            <span>{formatTicketNumber(ticket.number)}</span>
            <span>
              {ticket.category}
              {ticket.seat
                ? ` · ${t('sales.seatPlace', { section: ticket.seat.section, row: ticket.seat.row, number: ticket.seat.number })}`
                : ticket.area
                  ? ` · ${ticket.area}`
                  : ''}
            </span>
            <span>{displayPhone(ticket.holderPhone)}</span>
            <strong className="sales-ticket-state">{t(ticketStateKey(ticket))}</strong>
            {ticket.refund ? (
              <span>
                {t('sales.refundState', {
                  amount: fmt.money(ticket.refund.amount, ticket.refund.asset),
                  state: t(refundStateKey(ticket.refund.status)),
                  reason: ticket.refund.reason,
                })}
              </span>
            ) : null}
            {mayRefund && isLive(ticket) ? (
              <button type="button" onClick={() => props.onRefund({ order, tickets: [ticket] })}>
                {t('sales.refundTicket')}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {mayRefund && live.length > 1 ? (
        <button type="button" onClick={() => props.onRefund({ order, tickets: live })}>
          {t('sales.refundOrder', { count: live.length })}
        </button>
      ) : null}
    </div>
  );
}
