/**
 * The live feed (unit 412): server-sent events that tell every online terminal of a performance
 * about each admission, after a replay of those since the terminal's last one. A terminal that
 * loses the network still knows what the others admitted until then.
 */

import type { ServerResponse } from 'node:http';
import { ApiError } from '@tessera/service-kit/errors';
import { iso } from '@tessera/service-kit/schemas';
import {
  checkedResumePoint,
  openEventStream,
  type ResumePoint,
  sseKeepAlive,
  sseKeepAliveMs,
  sseReset,
} from '@tessera/service-kit/sse';
import type { GateAdmission, Ticketing } from '../context.ts';
import type { TerminalPrincipal } from '../identity/service.ts';
import { admissionsSince, lastAdmissionSeq, terminalIsLive } from './repository.ts';

/** Admissions replayed at most, from the cursor on. */
const replayMax = 50_000;

/**
 * Live feeds one terminal may hold open at once, per instance. A gate app keeps one; a few more
 * cover a reconnect that overlaps the old stream. Each stream holds a connection and may replay
 * up to `replayMax` admissions, so a terminal token (stolen, or a buggy app) must not open
 * them without end.
 */
export const feedsPerTerminalMax = 3;
const openFeeds = new WeakMap<Ticketing, Map<string, number>>();

/**
 * Counts a feed the terminal opens (429 `too_many_streams` at the limit) and returns what
 * uncounts it; call that once the stream's response has closed.
 */
export function admitFeed(ticketing: Ticketing, terminalId: string): () => void {
  let open = openFeeds.get(ticketing);
  if (!open) {
    open = new Map();
    openFeeds.set(ticketing, open);
  }
  const count = open.get(terminalId) ?? 0;
  if (count >= feedsPerTerminalMax) {
    throw new ApiError(429, 'too_many_streams', 'this terminal has too many live feeds open', {
      max: feedsPerTerminalMax,
    });
  }
  open.set(terminalId, count + 1);
  let counted = true;
  return () => {
    if (!counted || !open) return;
    counted = false;
    const left = (open.get(terminalId) ?? 1) - 1;
    if (left > 0) open.set(terminalId, left);
    else open.delete(terminalId);
  };
}

/**
 * Streams the admissions of the terminal's performances to `raw` (a reply the caller hijacked):
 * those after the resume point first, when given (after a `reset` event, all of them), then each
 * new one as it is recorded, until the client goes (`closed`) or the terminal is revoked. The
 * stream follows the live-feed convention of docs/feeds.md.
 */
export async function streamFeed(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  stream: {
    raw: ServerResponse;
    origin: string | undefined;
    resume: ResumePoint;
    onClose: (end: () => void) => void;
  },
) {
  const { raw } = stream;
  const mine = new Set(terminal.performanceIds);
  openEventStream(raw, stream.origin, ticketing.config.corsOrigins);
  const send = (admission: GateAdmission) =>
    raw.write(
      `id: ${admission.seq}\nevent: admission\ndata: ${JSON.stringify(feedAdmission(admission))}\n\n`,
    );
  // Subscribe before the replay, so nothing recorded in between is missed; the replay's
  // last sequence number drops the live events it already covered.
  const buffered: GateAdmission[] = [];
  let replayed = -1;
  const unsubscribe = ticketing.gates.subscribe((admission) => {
    if (!mine.has(admission.performanceId)) return;
    if (replayed < 0) buffered.push(admission);
    else if (admission.seq > replayed) send(admission);
  });
  // A revoked terminal hears nothing more: at once when revoked through this instance,
  // within a keep-alive period when revoked through another.
  const end = () => {
    clearInterval(keepAlive);
    unsubscribe();
    unwatch();
    raw.end();
  };
  const unwatch = ticketing.gates.onRevoked((revokedId) => {
    if (revokedId === terminal.id) end();
  });
  // The keep-alive also notices a terminal revoked through another instance.
  const keepAlive = setInterval(async () => {
    const live = await terminalIsLive(ticketing.database.db, terminal.id).catch(() => true);
    if (live) raw.write(sseKeepAlive);
    else end();
  }, sseKeepAliveMs);
  stream.onClose(end);
  try {
    const since = await startingPoint(ticketing, stream.resume, raw);
    replayed = since === null ? 0 : await replay(ticketing, mine, since, send);
  } catch (error) {
    // The database went away mid-replay: end the stream, so that the terminal reconnects with
    // its Last-Event-ID and gets the replay, rather than listen on with a gap.
    end();
    throw error;
  }
  for (const admission of buffered) if (admission.seq > replayed) send(admission);
  buffered.length = 0;
  raw.write(': live\n\n');
}

/**
 * Where the replay starts (null: no replay, live events only), a `reset` event sent first when
 * the resume point is malformed or beyond the last admission (docs/feeds.md).
 */
async function startingPoint(ticketing: Ticketing, asked: ResumePoint, raw: ServerResponse) {
  if (asked.kind === 'live') return null;
  const resume =
    asked.kind === 'after'
      ? checkedResumePoint(asked, await lastAdmissionSeq(ticketing.database.db))
      : asked;
  if (resume.kind === 'after') return resume.after;
  if (resume.kind === 'reset') raw.write(sseReset(resume.reason));
  return 0;
}

/**
 * An admission as the feed sends it: times in JSON are ISO 8601 UTC strings, as in the event
 * package and the upload (docs/ticketing.md, "Conventions").
 */
export function feedAdmission(admission: GateAdmission) {
  // Field by field: what the check-in dashboards read besides (position, source…) is theirs.
  return {
    seq: admission.seq,
    performanceId: admission.performanceId,
    performanceCode: admission.performanceCode,
    ticketId: admission.ticketId,
    revision: admission.revision,
    direction: admission.direction,
    debit: admission.debit,
    scannedAt: iso(admission.scannedAt) as string,
    presentationTimeS: admission.presentationTimeS,
    gate: admission.gate,
    terminalId: admission.terminalId,
    duplicate: admission.duplicate,
  };
}

/** Sends the admissions after `since`; the last sequence number sent (or `since`). */
async function replay(
  ticketing: Ticketing,
  performanceIds: ReadonlySet<string>,
  since: number,
  send: (admission: GateAdmission) => void,
) {
  let last = since;
  const rows = await admissionsSince(ticketing.database.db, [...performanceIds], since, replayMax);
  for (const row of rows) {
    send({
      seq: Number(row.seq),
      performanceId: row.performance_id,
      performanceCode: row.code,
      ticketId: row.number,
      revision: row.revision,
      direction: row.direction,
      debit: String(row.debit),
      scannedAt: Number(row.scanned_at),
      presentationTimeS: row.presentation_time === null ? null : Number(row.presentation_time),
      gate: row.gate,
      terminalId: row.terminal_id,
      duplicate: row.duplicate === 1,
    });
    last = Number(row.seq);
  }
  return last;
}
