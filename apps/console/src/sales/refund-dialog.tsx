/**
 * Refunding a ticket, or every live ticket of an order (as the command line's `refund ord_…`
 * does, one call per ticket, with progress): the reason is required here (the server keeps it
 * with the refund and sends it to the exchange), and the dialog says where the money goes: back
 * to the wallet at the exchange that paid the order, the buyer's.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { displayPhone } from '@tessera/web-kit/phone';
import { useEffect, useRef, useState } from 'react';
import { useForm } from 'react-hook-form';
import { useApi } from '../api.tsx';
import { useI18n } from '../i18n.ts';
import { useOrganizer } from '../session.tsx';
import { Field, FormFailure } from '../ui/form.tsx';
import { type EventOrder, type OrderTicket, salesKey } from './api.ts';
import { formatTicketNumber } from './ticket-state.ts';

/** The server's limit (after-sale/schemas.ts refundReasonCharsMax), the exchange's too. */
export const refundReasonCharsMax = 200;

/** What one dialog refunds: one ticket, or the live tickets of an order. */
export interface RefundTarget {
  order: EventOrder;
  tickets: readonly OrderTicket[];
}

/** The amounts per asset of these tickets, summed exactly in their smallest units. */
export function amountsOf(tickets: readonly OrderTicket[]) {
  const sums = new Map<string, { units: bigint; scale: number }>();
  for (const ticket of tickets) {
    const [whole = '0', fraction = ''] = ticket.price.amount.split('.');
    const entry = sums.get(ticket.price.asset) ?? { units: 0n, scale: 0 };
    const scale = Math.max(entry.scale, fraction.length);
    const rescale = (units: bigint, from: number) => units * 10n ** BigInt(scale - from);
    entry.units =
      rescale(entry.units, entry.scale) + rescale(BigInt(`${whole}${fraction}`), fraction.length);
    entry.scale = scale;
    sums.set(ticket.price.asset, entry);
  }
  return [...sums].map(([asset, { units, scale }]) => {
    const digits = units.toString().padStart(scale + 1, '0');
    const whole = digits.slice(0, digits.length - scale);
    const fraction = scale > 0 ? digits.slice(-scale).replace(/0+$/, '') : '';
    return { asset, amount: fraction ? `${whole}.${fraction}` : whole };
  });
}

export function RefundDialog(props: { eventId: string; target: RefundTarget; onClose(): void }) {
  const { t, fmt } = useI18n();
  const api = useApi();
  const queryClient = useQueryClient();
  const organizer = useOrganizer();
  const { order, tickets } = props.target;
  const [done, setDone] = useState(0);
  const form = useForm<{ reason: string }>({ defaultValues: { reason: '' } });
  const refund = useMutation({
    mutationFn: async (reason: string) => {
      setDone(0);
      for (const ticket of tickets) {
        await api.call((init) =>
          api.ticketing.POST('/v1/organizers/{organizerId}/tickets/{ticketId}/refund', {
            ...init,
            params: { path: { organizerId: organizer.id, ticketId: ticket.id } },
            body: { reason },
          }),
        );
        setDone((n) => n + 1);
      }
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: salesKey(props.eventId) }),
    onSuccess: () => props.onClose(),
  });
  const amounts = amountsOf(tickets)
    .map((line) => fmt.money(line.amount, line.asset))
    .join(', ');
  const submit = form.handleSubmit((values) => refund.mutate(values.reason.trim()));
  // Modal: the page behind is inert and Escape closes it (the 'close' event), as a dialog should.
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      className="sales-dialog"
      aria-labelledby="refund-title"
      onCancel={(event) => {
        // Not while refunding: the calls go on, and their progress is here.
        if (refund.isPending) event.preventDefault();
      }}
      onClose={props.onClose}
    >
      <form onSubmit={submit} noValidate>
        <h2 id="refund-title">
          {tickets.length === 1
            ? t('sales.refundTicketTitle', {
                number: formatTicketNumber((tickets[0] as OrderTicket).number),
              })
            : t('sales.refundOrderTitle', { count: tickets.length, order: order.id })}
        </h2>
        <p>{t('sales.refundWhere', { amount: amounts, phone: displayPhone(order.buyerPhone) })}</p>
        <Field label={t('sales.refundReason')} error={form.formState.errors.reason}>
          <input
            type="text"
            {...form.register('reason', {
              validate: (value) => {
                const length = value.trim().length;
                if (length === 0) return t('sales.refundReasonRequired');
                if (length > refundReasonCharsMax) {
                  return t('sales.refundReasonTooLong', { max: refundReasonCharsMax });
                }
                return true;
              },
            })}
          />
        </Field>
        {refund.isPending && tickets.length > 1 ? (
          <p role="status">
            <progress max={tickets.length} value={done} />{' '}
            {t('sales.refundProgress', { done, total: tickets.length })}
          </p>
        ) : null}
        <FormFailure error={refund.error} />
        <div className="sales-dialog-actions">
          <button type="submit" disabled={refund.isPending}>
            {t('sales.refundConfirm')}
          </button>
          <button type="button" onClick={props.onClose} disabled={refund.isPending}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
