/**
 * The organizer command line's report commands: the sales report, the attendee export, closing a
 * performance and its gate reconciliation report.
 */
import { once } from 'node:events';
import { type FileHandle, open, rename, unlink, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { TicketingAnswer } from '@tessera/api-client';
import { ApiFailure, UsageError } from './client.ts';
import {
  type Command,
  type Context,
  eventsHint,
  id,
  orHint,
  printJson,
  progressOf,
  userPath,
} from './command.ts';
import { salesText } from './format.ts';
import { closePreview, closePreviewText, closeText, gateReportText } from './gate-format.ts';
import type { Progress } from './progress.ts';

const performancesHint = "`event show <ev_…>` lists an event's performances";

export const sales: Command = {
  words: ['sales'],
  args: '<ev_…>',
  summary: 'The sales report: per performance and category, revenue, orders and refunds',
  group: 'Sales and refunds',
  help: `No options. Needs view_sales (owner, manager, box office). Times are in UTC.

example:
  tessera-organizer sales ev_…
  tessera-organizer sales ev_… --json | jq .totals`,
  options: {},
  positionals: ['eventId'],
  async run(context) {
    const eventId = id(context, context.positionals[0], 'ev', 'the event id');
    const client = context.client();
    const { body } = await orHint(
      client.answer(
        client.api.GET('/v1/events/{eventId}/sales', { params: { path: { eventId } } }),
      ),
      eventsHint,
    );
    if (context.values.json) printJson(context, body);
    else context.out(salesText(body));
  },
};

/** Counts CSV records as the bytes go by (a quoted field may hold a line break). */
class RecordCounter {
  records = 0;
  private quoted = false;
  feed(chunk: Uint8Array) {
    for (const byte of chunk) {
      if (byte === 0x22) this.quoted = !this.quoted;
      else if (byte === 0x0a && !this.quoted) this.records += 1;
    }
  }
}

export const attendees: Command = {
  words: ['attendees'],
  args: '<ev_…> [--performance <perf_…>] [--out <file.csv>]',
  summary: 'Export the attendee list as CSV (to --out, or to stdout)',
  group: 'Sales and refunds',
  help: `options:
  --performance <perf_…>  only this performance
  --out <file.csv>        write to this file (through file.csv.part, renamed when complete)
With --json: {attendees, total} as JSON (ticket ids included), read page by page.
Progress on stderr (a terminal, or --progress). Holds phone numbers: keep the file safe.

examples:
  tessera-organizer attendees ev_… --out attendees.csv
  tessera-organizer attendees ev_… --performance perf_… > door-list.csv
  tessera-organizer attendees ev_… --json | jq '.attendees[] | {ticketId, orderId}'`,
  options: { performance: { type: 'string' }, out: { type: 'string' } },
  positionals: ['eventId'],
  async run(context) {
    const eventId = id(context, context.positionals[0], 'ev', 'the event id');
    const performanceId =
      context.values.performance !== undefined
        ? id(context, context.values.performance as string, 'perf', '--performance')
        : undefined;
    const out = context.values.out as string | undefined;
    if (out === '') throw new UsageError('--out needs a file name', context.usage);
    if (context.values.json) {
      await attendeesJson(context, eventId, performanceId, out);
      return;
    }
    // Into a side file first, renamed at the end: a broken download never looks complete.
    const target = out ? userPath(context, out) : undefined;
    const partial = target ? `${target}.part` : undefined;
    let file: FileHandle | undefined;
    if (partial) {
      try {
        file = await open(partial, 'w');
      } catch (error) {
        throw new UsageError(
          `cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          context.usage,
        );
      }
    }
    const counter = new RecordCounter();
    let progress: Progress | undefined;
    try {
      const client = context.client();
      const { response } = await orHint(
        client.answer(
          client.api.GET('/v1/events/{eventId}/attendees', {
            params: {
              path: { eventId },
              query: { format: 'csv', ...(performanceId ? { performanceId } : {}) },
            },
            parseAs: 'stream',
          }),
        ),
        eventsHint,
      );
      const total = Number(response.headers.get('x-total-count') ?? 0);
      progress = progressOf(context, 'attendees', total);
      if (!response.body) throw new ApiFailure(response.status, 'empty_response', 'no body');
      const stdout = context.io.stdout;
      for await (const chunk of Readable.fromWeb(
        response.body as import('node:stream/web').ReadableStream<Uint8Array>,
      )) {
        counter.feed(chunk as Uint8Array);
        progress.update(Math.max(0, counter.records - 1));
        if (file) await file.write(chunk as Uint8Array);
        else if (!stdout.write(chunk)) await once(stdout, 'drain');
      }
      if (file && partial && target) {
        await file.close();
        file = undefined;
        await rename(partial, target);
      }
    } catch (error) {
      if (partial) {
        await file?.close().catch(() => {});
        await unlink(partial).catch(() => {});
      }
      throw error;
    } finally {
      progress?.finish();
    }
    const written = Math.max(0, counter.records - 1);
    const summary = `Wrote ${written} attendee${written === 1 ? '' : 's'}${out ? ` to ${out}` : ''}.\n`;
    if (out) context.out(summary);
    else context.err(summary);
  },
};

export const close: Command = {
  words: ['close'],
  args: '<perf_…> [--preview | --force] [--reason <text>]',
  summary: 'Close a performance after the event: terminals still to upload, and the gate report',
  group: 'After the show',
  help: `options:
  --preview (or --dry-run)  change nothing: show what closing would do now, and whether it
                            may (before the start it may not: \`performance cancel\` calls it off)
  --force                   refund stored-value remainders now, whatever terminals are outstanding;
                            while some are, needs --reason (the report keeps it, with who forced)
  --reason <text>           why (up to 500 characters); kept with the close
Needs manage_catalogue (owner, manager). Calling it again after the terminals named have
uploaded answers again with who is still outstanding.

examples:
  tessera-organizer close perf_… --preview
  tessera-organizer close perf_…
  tessera-organizer close perf_… --force --reason "North 2 was lost; its admissions are counted by hand"`,
  options: {
    force: { type: 'boolean' },
    reason: { type: 'string' },
    preview: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
  },
  positionals: ['performanceId'],
  async run(context) {
    const performanceId = id(context, context.positionals[0], 'perf', 'the performance id');
    const preview = context.values.preview === true || context.values['dry-run'] === true;
    if (preview && (context.values.force || context.values.reason !== undefined)) {
      throw new UsageError(
        '--preview changes nothing; --force and --reason are for the close itself',
        context.usage,
      );
    }
    const reason = context.values.reason;
    if (typeof reason === 'string' && (reason.trim() === '' || reason.length > 500)) {
      throw new UsageError('--reason takes 1 to 500 characters', context.usage);
    }
    const client = context.client();
    if (preview) {
      const { body: report } = await orHint(
        client.answer(
          client.api.GET('/v1/performances/{performanceId}/gate-report', {
            params: { path: { performanceId } },
          }),
        ),
        performancesHint,
      );
      if (context.values.json) printJson(context, closePreview(report));
      else context.out(closePreviewText(report));
      return;
    }
    const { body } = await orHint(
      client.answer(
        client.api.POST('/v1/performances/{performanceId}/close', {
          params: { path: { performanceId } },
          body: {
            force: context.values.force === true,
            ...(typeof reason === 'string' ? { reason } : {}),
          },
        }),
      ),
      performancesHint,
    );
    if (context.values.json) printJson(context, body);
    else context.out(closeText(body));
  },
};

type AttendeePage = TicketingAnswer<'get', '/v1/events/{eventId}/attendees'>;

/** `attendees --json`: the API's JSON pages, gathered into one document. */
async function attendeesJson(
  context: Context,
  eventId: string,
  performanceId: string | undefined,
  out: string | undefined,
) {
  const client = context.client();
  const all: AttendeePage['attendees'] = [];
  let after: string | null = null;
  let progress: Progress | undefined;
  let total = 0;
  try {
    do {
      const page: { body: AttendeePage } = await orHint(
        client.answer(
          client.api.GET('/v1/events/{eventId}/attendees', {
            params: {
              path: { eventId },
              query: {
                format: 'json',
                limit: 1000,
                ...(performanceId ? { performanceId } : {}),
                ...(after ? { after } : {}),
              },
            },
          }),
        ),
        eventsHint,
      );
      total = page.body.total;
      progress ??= progressOf(context, 'attendees', total);
      all.push(...page.body.attendees);
      progress.update(all.length);
      after = page.body.next;
    } while (after);
  } finally {
    progress?.finish();
  }
  const text = `${JSON.stringify({ attendees: all, total }, null, 2)}\n`;
  if (!out) {
    context.out(text);
    return;
  }
  const target = userPath(context, out);
  try {
    await writeFile(`${target}.part`, text);
    await rename(`${target}.part`, target);
  } catch (error) {
    await unlink(`${target}.part`).catch(() => {});
    throw new UsageError(
      `cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      context.usage,
    );
  }
  context.err(`Wrote ${all.length} attendee${all.length === 1 ? '' : 's'} to ${out}.\n`);
}

/** The tables of the gate report's CSV export (GET …/gate-report?format=csv&table=). */
const gateReportTables = ['summary', 'gates', 'duplicates', 'outside'] as const;

export const gateReport: Command = {
  words: ['gate-report'],
  args: '<perf_…> [--csv <summary|gates|duplicates|outside>] [--out <file.csv>]',
  summary: 'The gate reconciliation report: admitted, no-shows, duplicates, per gate, revenue',
  group: 'After the show',
  help: `options:
  --csv <table>    one whole table as CSV: summary, gates, duplicates or outside
  --out <file.csv> write that CSV to a file (through file.csv.part, renamed when complete)
At any time, before or after close. Needs view_sales. Text lists show the first 20.

examples:
  tessera-organizer gate-report perf_…
  tessera-organizer gate-report perf_… --csv duplicates --out duplicates.csv`,
  options: { csv: { type: 'string' }, out: { type: 'string' } },
  positionals: ['performanceId'],
  async run(context) {
    const performanceId = id(context, context.positionals[0], 'perf', 'the performance id');
    const csv = context.values.csv as string | undefined;
    const out = context.values.out as string | undefined;
    if (csv !== undefined && !(gateReportTables as readonly string[]).includes(csv)) {
      throw new UsageError(`--csv takes one of ${gateReportTables.join(', ')}`, context.usage);
    }
    if (csv !== undefined && context.values.json) {
      throw new UsageError('--csv prints CSV, --json the whole report: give one', context.usage);
    }
    if (out !== undefined && csv === undefined) {
      throw new UsageError('--out is for a CSV table: add --csv <table>', context.usage);
    }
    if (out === '') throw new UsageError('--out needs a file name', context.usage);
    const client = context.client();
    const path = '/v1/performances/{performanceId}/gate-report';
    if (csv === undefined) {
      const { body } = await orHint(
        client.answer(client.api.GET(path, { params: { path: { performanceId } } })),
        performancesHint,
      );
      if (context.values.json) printJson(context, body);
      else context.out(gateReportText(body));
      return;
    }
    const { body: text } = await orHint(
      client.answer(
        client.api.GET(path, {
          params: {
            path: { performanceId },
            query: { format: 'csv', table: csv as (typeof gateReportTables)[number] },
          },
          parseAs: 'text',
        }),
      ),
      performancesHint,
    );
    const lines = Math.max(0, text.split('\r\n').length - 2);
    if (!out) {
      context.out(text);
      return;
    }
    // Into a side file first, renamed at the end: a broken write never looks complete.
    const target = userPath(context, out);
    try {
      await writeFile(`${target}.part`, text);
      await rename(`${target}.part`, target);
    } catch (error) {
      await unlink(`${target}.part`).catch(() => {});
      throw new UsageError(
        `cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        context.usage,
      );
    }
    context.out(`Wrote ${lines} ${csv} line${lines === 1 ? '' : 's'} to ${out}.\n`);
  },
};
