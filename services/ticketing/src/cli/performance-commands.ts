/**
 * The organizer command line's event and performance commands: show an event, take it off
 * sale, add a performance to it, show a performance, and cancel one (every ticket refunded).
 */
import type { TicketingAnswer } from '@tessera/api-client';
import { eventText } from './catalogue-commands.ts';
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
  when,
} from './command.ts';

const performancesHint = "`event show <ev_…>` lists an event's performances";

export const eventShow: Command = {
  words: ['event', 'show'],
  args: '<ev_…>',
  summary: 'An event: venue, categories with prices, performances with their ids',
  group: 'Events and performances',
  help: `No options. Drafts too, for the organizer's staff.

example:
  tessera-organizer event show ev_…`,
  options: {},
  positionals: ['eventId'],
  async run(context) {
    const eventId = id(context, context.positionals[0], 'ev', 'the event id');
    const client = context.client();
    const { body } = await orHint(
      client.answer(client.api.GET('/v1/events/{eventId}', { params: { path: { eventId } } })),
      eventsHint,
    );
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(`${body.name} (${body.slug}, ${body.id}) - ${body.status}\n`);
    context.out(eventText(body));
  },
};

export const eventUnpublish: Command = {
  words: ['event', 'unpublish'],
  args: '<ev_…>',
  summary: 'Take an event off sale, back to draft; sold tickets stay valid',
  group: 'Events and performances',
  help: `No options. \`event publish\` puts it on sale again.

example:
  tessera-organizer event unpublish ev_…`,
  options: {},
  positionals: ['eventId'],
  async run(context) {
    const eventId = id(context, context.positionals[0], 'ev', 'the event id');
    const client = context.client();
    const { body } = await orHint(
      client.answer(
        client.api.POST('/v1/events/{eventId}/unpublish', { params: { path: { eventId } } }),
      ),
      eventsHint,
    );
    if (context.values.json) printJson(context, body);
    else context.out(`Took ${body.id} "${body.name}" off sale: ${body.status}\n`);
  },
};

const isoPattern = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

/** An ISO 8601 time with its zone, from an option; undefined when the option is absent. */
function time(context: Context, name: string, required: boolean): string | undefined {
  const value = context.values[name];
  if (value === undefined) {
    if (required) throw new UsageError(`--${name} is required`, context.usage);
    return undefined;
  }
  if (typeof value !== 'string' || !isoPattern.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError(
      `--${name} "${String(value)}" is not a time with its zone, such as 2027-05-14T19:30:00+09:00`,
      context.usage,
    );
  }
  return value;
}

export const performanceAdd: Command = {
  words: ['performance', 'add'],
  args: '<ev_…> --starts <time> --ends <time> [--doors <time>] [--sales-start <time>] [--sales-end <time>]',
  summary: 'Add a performance to an event, with inventory for every category',
  group: 'Events and performances',
  help: `options (times are ISO 8601 with a zone, e.g. 2027-05-14T19:30:00+09:00):
  --starts <time>       when it starts
  --ends <time>         when it ends
  --doors <time>        when the doors open (default: the server's, before the start)
  --sales-start <time>  when sales open (default: now)
  --sales-end <time>    when sales close (default: the start)
On a published event the new performance goes on sale at --sales-start.

example:
  tessera-organizer performance add ev_… --starts 2027-05-16T15:00:00+09:00 \\
    --ends 2027-05-16T17:30:00+09:00`,
  options: {
    starts: { type: 'string' },
    ends: { type: 'string' },
    doors: { type: 'string' },
    'sales-start': { type: 'string' },
    'sales-end': { type: 'string' },
  },
  positionals: ['eventId'],
  async run(context) {
    const eventId = id(context, context.positionals[0], 'ev', 'the event id');
    const startsAt = time(context, 'starts', true) as string;
    const endsAt = time(context, 'ends', true) as string;
    if (Date.parse(endsAt) <= Date.parse(startsAt)) {
      throw new UsageError('--ends must come after --starts', context.usage);
    }
    const optional = {
      doorsAt: time(context, 'doors', false),
      salesStart: time(context, 'sales-start', false),
      salesEnd: time(context, 'sales-end', false),
    };
    const client = context.client();
    const { body } = await orHint(
      client.answer(
        client.api.POST('/v1/events/{eventId}/performances', {
          params: { path: { eventId } },
          body: {
            startsAt,
            endsAt,
            ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
          },
        }),
      ),
      eventsHint,
    );
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(
      `Added performance ${body.id} (code ${body.code}) to ${eventId}: ${when(body.startsAt)} to ${when(body.endsAt)}, doors ${when(body.doorsAt)}\n`,
    );
    context.out(
      `Sales ${when(body.salesStart)} to ${when(body.salesEnd)}; ${body.onSale ? 'on sale now' : 'not on sale now'}.\n`,
    );
  },
};

type PerformanceView = TicketingAnswer<'get', '/v1/performances/{performanceId}'>;

async function performanceOf(context: Context, performanceId: string) {
  const client = context.client();
  const { body } = await orHint(
    client.answer(
      client.api.GET('/v1/performances/{performanceId}', {
        params: { path: { performanceId } },
      }),
    ),
    performancesHint,
  );
  return body;
}

const performanceLine = (p: PerformanceView) =>
  `"${p.event.name}", performance ${p.code} (${p.id}) at ${p.venue.name}, ${when(p.startsAt)}`;

export const performanceShow: Command = {
  words: ['performance', 'show'],
  args: '<perf_…>',
  summary: 'A performance: its event, venue, times, status and sales window',
  group: 'Events and performances',
  help: `No options.

example:
  tessera-organizer performance show perf_…`,
  options: {},
  positionals: ['performanceId'],
  async run(context) {
    const performanceId = id(context, context.positionals[0], 'perf', 'the performance id');
    const p = await performanceOf(context, performanceId);
    if (context.values.json) {
      printJson(context, p);
      return;
    }
    context.out(
      [
        performanceLine(p),
        `  status: ${p.status}${p.onSale ? ', on sale' : ''} (event ${p.event.id}, ${p.event.status})`,
        `  doors ${when(p.doorsAt)}, starts ${when(p.startsAt)}, ends ${when(p.endsAt)}`,
        `  sales ${when(p.salesStart)} to ${when(p.salesEnd)}`,
        '',
      ].join('\n'),
    );
  },
};

/** Live tickets (valid, or awaiting their device) of one performance, from the sales report. */
async function liveTickets(context: Context, eventId: string, performanceId: string) {
  const client = context.client();
  const { body } = await client.answer(
    client.api.GET('/v1/events/{eventId}/sales', { params: { path: { eventId } } }),
  );
  return body.performances.find((p) => p.id === performanceId)?.totals.tickets ?? 0;
}

/** How often the cancellation's progress is read while the API works. */
const pollMs = 500;

export const performanceCancel: Command = {
  words: ['performance', 'cancel'],
  args: '<perf_…> [--yes]',
  summary: 'Cancel a performance: sales stop, every ticket is revoked and refunded',
  group: 'Events and performances',
  help: `options:
  --yes    go ahead without asking (needed when stdin is not a terminal)
Stops sales, releases holds, closes unpaid orders at the exchange, then cancels, revokes and
refunds every ticket. Progress on stderr (a terminal, or --progress) while the server works.
Safe to run again: it continues where it stopped. Refunds are queued for the exchange:
\`refunds <ev_…> --wait\` follows them until they are paid back. After the start, use \`close\`.

example:
  tessera-organizer performance cancel perf_… --yes`,
  options: { yes: { type: 'boolean' } },
  positionals: ['performanceId'],
  async run(context) {
    const performanceId = id(context, context.positionals[0], 'perf', 'the performance id');
    const p = await performanceOf(context, performanceId);
    const total = await liveTickets(context, p.eventId, performanceId);
    await confirm(
      context,
      `Cancel ${performanceLine(p)}, refunding ${plural(total, 'ticket')}? This cannot be undone.`,
      p.code,
    );
    const progress = progressOf(context, 'cancelling tickets', total);
    const client = context.client();
    const call = client.answer(
      client.api.POST('/v1/performances/{performanceId}/cancel', {
        params: { path: { performanceId } },
      }),
    );
    let finished = false;
    // The API does it in one call: how far it got is read from the sales report meanwhile.
    const watch = async () => {
      progress.update(0);
      while (!finished && total > 0) {
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        if (finished) break;
        const left = await liveTickets(context, p.eventId, performanceId).catch(() => undefined);
        if (left !== undefined && !finished) progress.update(total - left);
      }
    };
    const watching = context.io.stderr.isTTY || context.values.progress ? watch() : undefined;
    let body: TicketingAnswer<'post', '/v1/performances/{performanceId}/cancel'>;
    try {
      ({ body } = await call);
      progress.update(total);
    } finally {
      finished = true;
      await watching;
      progress.finish();
    }
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(cancelText(p, body));
  },
};

function cancelText(
  p: PerformanceView,
  done: TicketingAnswer<'post', '/v1/performances/{performanceId}/cancel'>,
) {
  return [
    `Cancelled ${performanceLine(p)}.`,
    `  ${plural(done.ticketsCancelled, 'ticket')} cancelled and revoked by this run, ${plural(done.refundsQueued, 'refund')} queued`,
    `  ${plural(done.ordersClosed, 'unpaid order')} closed, ${plural(done.holdsReleased, 'hold')} released`,
    ...(done.ordersPending > 0
      ? [
          `  ${plural(done.ordersPending, 'unpaid order')} could not be closed at the exchange yet: run this again to finish.`,
        ]
      : []),
    `The exchange pays the refunds back: \`refunds ${p.eventId} --wait\` follows them.`,
    '',
  ].join('\n');
}

export const eventCommands = [eventShow, eventUnpublish];
export const performanceCommands = [performanceAdd, performanceShow, performanceCancel];
