/**
 * The organizer command line's refund commands: refund a ticket or every ticket of an order
 * (staff with the refund permission, whatever the event's policy), and how an event's refunds
 * stand at the exchange, optionally waiting until they are all paid back.
 */
import type { TicketingAnswer } from '@tessera/api-client';
import { UsageError } from './client.ts';
import {
  type Command,
  type Context,
  confirm,
  eventsHint,
  id,
  orHint,
  plural,
  printJson,
  progressOf,
} from './command.ts';

type Refunded = TicketingAnswer<'post', '/v1/organizers/{organizerId}/tickets/{ticketId}/refund'>;
type SalesReport = TicketingAnswer<'get', '/v1/events/{eventId}/sales'>;

const ticketHint = '`attendees <ev_…> --json` lists ticket ids (ticketId) and their orders';

/** The organizer of an event: --organizer or TESSERA_ORGANIZER if given, else the event's. */
async function organizerOfEvent(context: Context, eventId: string) {
  const given = context.values.organizer ?? context.io.env.TESSERA_ORGANIZER;
  if (given) return id(context, given as string, 'org', '--organizer');
  const client = context.client();
  const { body } = await client.answer(
    client.api.GET('/v1/events/{eventId}', { params: { path: { eventId } } }),
  );
  return body.organizerId;
}

/** The tickets to refund: the one named, or the live ones of the order named. */
async function ticketsToRefund(context: Context, target: string) {
  const client = context.client();
  if (target.startsWith('ord_')) {
    const orderId = id(context, target, 'ord', 'the order id');
    const { body } = await orHint(
      client.answer(client.api.GET('/v1/orders/{orderId}', { params: { path: { orderId } } })),
      ticketHint,
    );
    const live = body.tickets.filter((t) => t.status === 'valid' || t.status === 'awaiting_device');
    return {
      eventId: body.eventId,
      what: `order ${orderId} (${plural(live.length, 'ticket')} of ${body.tickets.length} still to refund)`,
      ticketIds: live.map((t) => t.id),
    };
  }
  const ticketId = id(context, target, 'tkt', 'the ticket or order id');
  const { body } = await orHint(
    client.answer(client.api.GET('/v1/tickets/{ticketId}', { params: { path: { ticketId } } })),
    ticketHint,
  );
  return {
    eventId: body.event.id,
    what: `ticket ${body.number} (${body.category}${body.seat ? ` ${body.seat.section} ${body.seat.row}-${body.seat.number}` : ''}, ${body.status}) of "${body.event.name}"`,
    ticketIds: [ticketId],
  };
}

const refundLine = (r: Refunded) =>
  r.refund
    ? `Ticket ${r.ticket.number} (${r.ticket.id}): ${r.ticket.status}; ${r.refund.amount} ${r.refund.asset} back to the paying wallet, ${r.refund.status}`
    : `Ticket ${r.ticket.number} (${r.ticket.id}): ${r.ticket.status}; nothing to pay back`;

export const refund: Command = {
  words: ['refund'],
  args: '<tkt_…|ord_…> [--organizer <org_…>] [--yes]',
  summary: "Refund a ticket, or every ticket of an order, whatever the event's policy",
  group: 'Sales and refunds',
  help: `options:
  --organizer <org_…>  the organizer (default: the event's)
  --yes                go ahead without asking (needed when stdin is not a terminal)
The ticket is revoked, its seat goes back on sale, and its price is refunded to the wallet
that paid (pending until the exchange confirms). Needs the refund permission (owner, manager).
A refunded ticket is answered as it is. \`attendees <ev_…> --json\` gives ticket and order ids.

examples:
  tessera-organizer refund tkt_… --yes
  tessera-organizer refund ord_… --yes --json`,
  options: { organizer: { type: 'string' }, yes: { type: 'boolean' } },
  positionals: ['ticketOrOrder'],
  async run(context) {
    const target = context.positionals[0] as string;
    if (!/^(tkt|ord)_/.test(target)) {
      throw new UsageError(
        `"${target}" is not a ticket id (tkt_…) or an order id (ord_…)`,
        context.usage,
      );
    }
    const { eventId, what, ticketIds } = await ticketsToRefund(context, target);
    if (ticketIds.length === 0) {
      if (context.values.json) printJson(context, { refunded: [] });
      else context.out(`Nothing to refund: ${what}.\n`);
      return;
    }
    const organizerId = await organizerOfEvent(context, eventId);
    await confirm(context, `Refund ${what}? This cannot be undone.`, 'yes');
    const client = context.client();
    const progress = progressOf(context, 'refunding', ticketIds.length);
    const refunded: Refunded[] = [];
    try {
      for (const ticketId of ticketIds) {
        const { body } = await client.answer(
          client.api.POST('/v1/organizers/{organizerId}/tickets/{ticketId}/refund', {
            params: { path: { organizerId, ticketId } },
            // No reason: the server's refund then names the ticket.
            body: {},
          }),
        );
        refunded.push(body);
        progress.update(refunded.length);
      }
    } finally {
      progress.finish();
    }
    if (context.values.json) printJson(context, { refunded });
    else context.out(`${refunded.map(refundLine).join('\n')}\n`);
  },
};

const amountsText = (amounts: SalesReport['refunds'][number]['amounts']) =>
  amounts.length === 0 ? '' : ` (${amounts.map((a) => `${a.amount} ${a.asset}`).join(', ')})`;

const countOf = (report: SalesReport, status: string) =>
  report.refunds.find((r) => r.status === status)?.count ?? 0;

/** How often `refunds --wait` reads the report again. */
const pollMs = 1000;

export const refunds: Command = {
  words: ['refunds'],
  args: '<ev_…> [--wait]',
  summary: "An event's refunds: pending at the exchange, done, failed, with amounts",
  group: 'Sales and refunds',
  help: `options:
  --wait   keep reading until no refund is pending (progress on stderr: a terminal, or
           --progress), e.g. after \`performance cancel\`
The API gives counts and amounts per status (from the sales report), not a list of refunds.

example:
  tessera-organizer refunds ev_… --wait`,
  options: { wait: { type: 'boolean' } },
  positionals: ['eventId'],
  async run(context) {
    const eventId = id(context, context.positionals[0], 'ev', 'the event id');
    const client = context.client();
    const read = async () =>
      (
        await orHint(
          client.answer(
            client.api.GET('/v1/events/{eventId}/sales', { params: { path: { eventId } } }),
          ),
          eventsHint,
        )
      ).body;
    let report = await read();
    if (context.values.wait && countOf(report, 'pending') > 0) {
      const finished = () => countOf(report, 'done') + countOf(report, 'failed');
      const start = finished();
      const progress = progressOf(context, 'refunds paid back', countOf(report, 'pending'));
      try {
        progress.update(0);
        while (countOf(report, 'pending') > 0) {
          await new Promise((resolve) => setTimeout(resolve, pollMs));
          report = await read();
          progress.setTotal(finished() - start + countOf(report, 'pending'));
          progress.update(finished() - start);
        }
      } finally {
        progress.finish();
      }
    }
    if (context.values.json) {
      printJson(context, { eventId, refunds: report.refunds });
      return;
    }
    context.out(
      [
        `Refunds of ${report.name} (${eventId}):`,
        ...report.refunds.map((r) => `  ${r.status.padEnd(8)} ${r.count}${amountsText(r.amounts)}`),
        ...(countOf(report, 'failed') > 0
          ? ['Failed: the exchange refused them after every retry; a person has to look at them.']
          : []),
        '',
      ].join('\n'),
    );
  },
};

export const refundCommands = [refund, refunds];
