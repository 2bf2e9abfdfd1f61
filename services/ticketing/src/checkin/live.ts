/**
 * The check-in dashboard's live feed: server-sent events that tell the organizer's dashboards of
 * a performance each admission as it is recorded or uploaded (after a replay of those since the
 * dashboard's snapshot or last event) and each refused gate decision, following the live-feed
 * convention of docs/feeds.md.
 *
 * Many dashboards may watch one performance during the gate rush, so the cost per admission must
 * not grow with them: one listener per instance hears the admissions and refusals (context.ts),
 * serialises each event once, and writes the same text to every open dashboard of its
 * performance; nothing is read from the database per dashboard per admission.
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
import type { GateAdmission, GateRefusal, Ticketing } from '../context.ts';
import { authenticate, sessionCacheName, sessionKeyOf } from '../identity/service.ts';
import { type ReportPerformance, requirePerformanceStaff } from '../reports/gate/report.ts';
import { admissionsAfter, type LiveAdmissionRow, lastSeqOf } from './repository.ts';

/** Admissions replayed at most, from the resume point on. */
const replayMax = 50_000;

/**
 * Dashboard feeds one caller may hold open at once, per instance: a console in a few tabs, and
 * a reconnect overlapping the old stream. Each holds a connection and may replay up to
 * `replayMax` admissions, so a session must not open them without end.
 */
export const dashboardsPerCallerMax = 6;

const isoOf = (ms: number) => iso(Number(ms)) as string;

/** An admission of the live feed as the dashboard shows it (LiveAdmission). */
export function liveAdmissionOf(admission: GateAdmission) {
  return {
    seq: admission.seq,
    admissionId: admission.admissionId ?? '',
    ticketNumber: admission.ticketId,
    gate: admission.gate,
    terminalId: admission.terminalId,
    direction: admission.direction,
    source: admission.source ?? 'online',
    scannedAt: isoOf(admission.scannedAt),
    recordedAt: isoOf(admission.recordedAt ?? admission.scannedAt),
    duplicate: admission.duplicate,
    outsideVenue: admission.outsideVenue ?? false,
    latitude: admission.latitude ?? null,
    longitude: admission.longitude ?? null,
    accuracyM: admission.accuracyM ?? null,
    debit: admission.debit,
  };
}

/** An admission read back from the database, as the dashboard shows it (LiveAdmission). */
export function liveAdmissionOfRow(row: LiveAdmissionRow) {
  return {
    seq: Number(row.seq),
    admissionId: row.id,
    ticketNumber: row.number,
    gate: row.gate,
    terminalId: row.terminal_id,
    direction: row.direction,
    source: row.source,
    scannedAt: isoOf(row.scanned_at),
    recordedAt: isoOf(row.recorded_at),
    duplicate: Number(row.duplicate) === 1,
    outsideVenue: Number(row.outside_venue) === 1,
    latitude: row.latitude === null ? null : Number(row.latitude),
    longitude: row.longitude === null ? null : Number(row.longitude),
    accuracyM: row.accuracy_m === null ? null : Number(row.accuracy_m),
    debit: String(row.debit),
  };
}

const admissionEvent = (seq: number, body: unknown) =>
  `id: ${seq}\nevent: admission\ndata: ${JSON.stringify(body)}\n\n`;

function refusalEvent(refusal: GateRefusal) {
  const body = {
    gate: refusal.gate,
    terminalId: refusal.terminalId,
    reason: refusal.reason,
    input: refusal.input,
    ticketNumber: refusal.ticketNumber,
    at: isoOf(refusal.at),
  };
  return `event: refusal\ndata: ${JSON.stringify(body)}\n\n`;
}

/** One open dashboard stream: live events are held back until its replay is done. */
interface Dashboard {
  /** -1 while replaying; then the last sequence number the replay sent. */
  replayed: number;
  buffered: { seq: number; text: string }[];
  write(text: string): void;
}

/** The dashboards open on this instance, per performance, and the one listener they share. */
class DashboardHub {
  readonly byPerformance = new Map<string, Set<Dashboard>>();
  readonly perCaller = new Map<string, number>();
  private stop: (() => void) | undefined;

  constructor(private readonly ticketing: Ticketing) {}

  get open() {
    let n = 0;
    for (const set of this.byPerformance.values()) n += set.size;
    return n;
  }

  add(performanceId: string, dashboard: Dashboard) {
    const set = this.byPerformance.get(performanceId) ?? new Set();
    set.add(dashboard);
    this.byPerformance.set(performanceId, set);
    if (!this.stop) {
      const offAdmissions = this.ticketing.gates.subscribe((admission) => this.admitted(admission));
      const offRefusals = this.ticketing.gates.onRefusal((refusal) => this.refused(refusal));
      this.stop = () => {
        offAdmissions();
        offRefusals();
      };
    }
  }

  remove(performanceId: string, dashboard: Dashboard) {
    const set = this.byPerformance.get(performanceId);
    set?.delete(dashboard);
    if (set && set.size === 0) this.byPerformance.delete(performanceId);
    // No dashboard left: the admissions path pays nothing for this feature.
    if (this.byPerformance.size === 0 && this.stop) {
      this.stop();
      this.stop = undefined;
    }
  }

  /**
   * Serialised once, the same text to every dashboard of the performance; and written in batches:
   * the events of one turn of the event loop go out together, one socket write per dashboard
   * rather than one per event each (at a busy gate, dozens of admissions a turn).
   */
  private admitted(admission: GateAdmission) {
    if (!this.byPerformance.has(admission.performanceId)) return;
    this.queue(admission.performanceId, {
      seq: admission.seq,
      text: admissionEvent(admission.seq, liveAdmissionOf(admission)),
    });
  }

  /** Refusals are not replayed: a dashboard still replaying gets them as they come. */
  private refused(refusal: GateRefusal) {
    if (!this.byPerformance.has(refusal.performanceId)) return;
    this.queue(refusal.performanceId, { seq: null, text: refusalEvent(refusal) });
  }

  private readonly batches = new Map<string, QueuedEvent[]>();
  private flushing = false;

  private queue(performanceId: string, event: QueuedEvent) {
    const batch = this.batches.get(performanceId);
    if (batch) batch.push(event);
    else this.batches.set(performanceId, [event]);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flush());
    }
  }

  private flush() {
    this.flushing = false;
    for (const [performanceId, batch] of this.batches) {
      const set = this.byPerformance.get(performanceId);
      if (!set) continue;
      const all = batch.map((event) => event.text).join('');
      for (const dashboard of set) {
        if (dashboard.replayed < 0) {
          // Still replaying: admissions wait for the replay's end, refusals go now.
          for (const event of batch) {
            if (event.seq === null) dashboard.write(event.text);
            else dashboard.buffered.push({ seq: event.seq, text: event.text });
          }
        } else if (batch.every((event) => event.seq === null || event.seq > dashboard.replayed)) {
          dashboard.write(all);
        } else {
          const replayed = dashboard.replayed;
          const fresh = batch.filter((event) => event.seq === null || event.seq > replayed);
          if (fresh.length > 0) dashboard.write(fresh.map((event) => event.text).join(''));
        }
      }
    }
    this.batches.clear();
  }
}

/** An event waiting for the turn's batch: an admission (its seq) or a refusal (null). */
interface QueuedEvent {
  seq: number | null;
  text: string;
}

const hubs = new WeakMap<Ticketing, DashboardHub>();

function hubOf(ticketing: Ticketing) {
  let hub = hubs.get(ticketing);
  if (!hub) {
    hub = new DashboardHub(ticketing);
    hubs.set(ticketing, hub);
  }
  return hub;
}

/** Dashboard streams open on this instance (the metrics' gauge). */
export const openDashboards = (ticketing: Ticketing) => hubs.get(ticketing)?.open ?? 0;

/**
 * Counts a dashboard feed the caller opens (429 `too_many_streams` at the limit) and returns
 * what uncounts it; call that once the stream's response has closed.
 */
export function admitDashboard(ticketing: Ticketing, callerId: string): () => void {
  const open = hubOf(ticketing).perCaller;
  const count = open.get(callerId) ?? 0;
  if (count >= dashboardsPerCallerMax) {
    throw new ApiError(429, 'too_many_streams', 'this session has too many dashboard feeds open', {
      max: dashboardsPerCallerMax,
    });
  }
  open.set(callerId, count + 1);
  let counted = true;
  return () => {
    if (!counted) return;
    counted = false;
    const left = (open.get(callerId) ?? 1) - 1;
    if (left > 0) open.set(callerId, left);
    else open.delete(callerId);
  };
}

/** Whether the session that opened the stream may still read the performance's sales. */
async function stillAllowed(
  ticketing: Ticketing,
  authorization: string | undefined,
  performanceId: string,
) {
  try {
    const principal = await authenticate(ticketing, authorization);
    await requirePerformanceStaff(ticketing, principal, performanceId, 'view_sales');
    return true;
  } catch (error) {
    // The database away for a moment is no reason to end it; a refused session is.
    return !(error instanceof ApiError) || error.status >= 500;
  }
}

/**
 * Streams the performance's admissions and refusals to `raw` (a reply the caller hijacked): the
 * admissions after the resume point first, when given (after a `reset` event, all of them), then
 * each new one as it is recorded, until the client goes (`closed`) or the session that opened it
 * is no longer valid (checked at each keep-alive).
 */
export async function streamDashboard(
  ticketing: Ticketing,
  performance: ReportPerformance,
  stream: {
    raw: ServerResponse;
    origin: string | undefined;
    authorization: string | undefined;
    resume: ResumePoint;
    onClose: (end: () => void) => void;
  },
) {
  const { raw } = stream;
  openEventStream(raw, stream.origin, ticketing.config.corsOrigins);
  const hub = hubOf(ticketing);
  // Added before the replay, so nothing recorded in between is missed; the replay's last
  // sequence number drops the live events it already covered.
  let ended = false;
  // Nothing is written once the stream has ended (the replay may still be running then).
  const write = (text: string) => {
    if (!ended) raw.write(text);
  };
  const dashboard: Dashboard = { replayed: -1, buffered: [], write };
  hub.add(performance.id, dashboard);
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(keepAlive);
    unwatch();
    hub.remove(performance.id, dashboard);
    raw.end();
  };
  const keepAlive = setInterval(async () => {
    if (await stillAllowed(ticketing, stream.authorization, performance.id)) write(sseKeepAlive);
    else end();
  }, sseKeepAliveMs);
  // A sign-out (here or on another instance) ends the stream at once rather than at the next
  // keep-alive: the session cache's invalidation names the session's token hash.
  const sessionKey = sessionKeyOf(stream.authorization);
  const unwatch = ticketing.caches.watch((invalidation) => {
    if (invalidation.cache !== sessionCacheName) return;
    if (invalidation.key !== null && invalidation.key !== sessionKey) return;
    void stillAllowed(ticketing, stream.authorization, performance.id).then((allowed) => {
      if (!allowed) end();
    });
  });
  stream.onClose(end);
  try {
    const since = await startingPoint(ticketing, performance.id, stream.resume, write);
    dashboard.replayed = since === null ? 0 : await replay(ticketing, performance.id, since, write);
  } catch (error) {
    // The database went away mid-replay: end the stream, so that the dashboard reconnects with
    // its Last-Event-ID and gets the replay, rather than listen on with a gap.
    end();
    throw error;
  }
  for (const held of dashboard.buffered) if (held.seq > dashboard.replayed) write(held.text);
  dashboard.buffered.length = 0;
  write(': live\n\n');
}

/**
 * Where the replay starts (null: no replay, live events only), a `reset` event sent first when
 * the resume point is malformed or beyond the performance's last admission (docs/feeds.md).
 */
async function startingPoint(
  ticketing: Ticketing,
  performanceId: string,
  asked: ResumePoint,
  write: (text: string) => void,
) {
  if (asked.kind === 'live') return null;
  const resume =
    asked.kind === 'after'
      ? checkedResumePoint(asked, await lastSeqOf(ticketing.database.db, performanceId))
      : asked;
  if (resume.kind === 'after') return resume.after;
  if (resume.kind === 'reset') write(sseReset(resume.reason));
  return 0;
}

/** Sends the admissions after `since`; the last sequence number sent (or `since`). */
async function replay(
  ticketing: Ticketing,
  performanceId: string,
  since: number,
  write: (text: string) => void,
) {
  let last = since;
  const rows = await admissionsAfter(ticketing.database.db, performanceId, since, replayMax);
  for (const row of rows) {
    write(admissionEvent(Number(row.seq), liveAdmissionOfRow(row)));
    last = Number(row.seq);
  }
  return last;
}
