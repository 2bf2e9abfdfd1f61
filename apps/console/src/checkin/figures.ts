/**
 * The check-in dashboard's figures: the server's snapshot (`GET /v1/performances/{id}/checkin`)
 * with the live feed's events applied in the browser, so an admission shows within a moment and
 * the server reads nothing per dashboard per admission (issue 20 item 7: 20 dashboards open during
 * a gate load must cost the gates little).
 *
 * Counts that need the whole ticket history (tickets admitted, inside now) are kept by what this
 * page knows: the tickets in the snapshot's recent and flagged lists and those the feed brought.
 * A re-entry of a ticket last seen before the snapshot's lists would count once more; the snapshot
 * is re-read every 20 s (api.ts), and `rebase` applies the events it does not cover yet, so such
 * a difference lasts until the next re-read at most.
 *
 * Pure functions of plain data: unit-tested in test/checkin.test.ts.
 */
import type { TicketingAnswer } from '@tessera/api-client';

export type Direction = 'entry' | 'exit';

/**
 * The snapshot's shapes, as the generated client has them (the server's schemas): the figures are
 * the snapshot less the performance it is of.
 */
type Snapshot = TicketingAnswer<'get', '/v1/performances/{performanceId}/checkin'>;
export type Figures = Omit<Snapshot, 'performance' | 'online' | 'offline'>;
/** One admission as the snapshot lists it and the feed sends it. */
export type LiveAdmission = Snapshot['recent'][number];
export type CheckinTerminal = Snapshot['terminals'][number];
export type Fix = NonNullable<CheckinTerminal['lastFix']>;
export type Point = Snapshot['points'][number];

/** A refused scan as the feed sends it (refusals are counted in the snapshot, not replayed). */
export interface LiveRefusal {
  gate: string;
  terminalId: string;
  reason: string;
  input: string;
  ticketNumber: string | null;
  at: string;
}

/** As the server keeps them (services/ticketing/src/checkin): newest 100, 200 and 20,000. */
export const recentMax = 100;
export const flaggedMax = 200;
export const pointsMax = 20_000;

/** Where each ticket this page knows of was last: in (an entry) or out (an exit). */
export type Whereabouts = ReadonlyMap<string, Direction>;

/** The tickets the snapshot's lists show, oldest first so the latest scan wins. */
export function whereaboutsOf(
  figures: Pick<Figures, 'recent' | 'flagged'>,
): Map<string, Direction> {
  const known = new Map<string, Direction>();
  const scans = [...figures.recent, ...figures.flagged].sort((a, b) => a.seq - b.seq);
  for (const scan of scans)
    known.set(scan.ticketNumber, scan.direction === 'exit' ? 'exit' : 'entry');
  return known;
}

/** The start of the scan's minute, as the snapshot's `perMinute` names it (ISO, UTC). */
export function minuteOf(at: string): string {
  const ms = Date.parse(at);
  if (!Number.isFinite(ms)) throw new Error(`not a time: ${at}`);
  return new Date(ms - (ms % 60_000)).toISOString();
}

const decimal = /^(\d+)(?:\.(\d+))?$/;

/** The sum of two non-negative decimal strings, exactly ("4.5" + "0.25" = "4.75"). */
export function addDecimal(a: string, b: string): string {
  const left = decimal.exec(a);
  const right = decimal.exec(b);
  if (!left || !right) throw new Error(`not amounts: ${a}, ${b}`);
  const scale = Math.max(left[2]?.length ?? 0, right[2]?.length ?? 0);
  const units = (m: RegExpExecArray) => BigInt(`${m[1]}${(m[2] ?? '').padEnd(scale, '0')}`);
  const digits = (units(left) + units(right)).toString().padStart(scale + 1, '0');
  if (scale === 0) return digits;
  const fraction = digits.slice(-scale).replace(/0+$/, '');
  return `${digits.slice(0, -scale)}${fraction ? `.${fraction}` : ''}`;
}

const isZero = (amount: string) => /^0*(\.0*)?$/.test(amount);

/** The figures after one admission; `known` is updated in place. Already counted: unchanged. */
export function applyAdmission<F extends Figures>(
  figures: F,
  admission: LiveAdmission,
  known: Map<string, Direction>,
): F {
  if (admission.seq <= figures.lastSeq) return figures;
  const entry = admission.direction !== 'exit';
  const before = known.get(admission.ticketNumber);
  known.set(admission.ticketNumber, entry ? 'entry' : 'exit');
  // A duplicate is a second entry of a ticket already in: it admits no one new.
  const firstEntry = entry && before === undefined && !admission.duplicate;
  const goesIn = entry && before !== 'entry' && !admission.duplicate;
  const flagged = admission.duplicate || admission.outsideVenue;
  return {
    ...figures,
    lastSeq: admission.seq,
    admitted: figures.admitted + (firstEntry ? 1 : 0),
    inside: Math.max(0, figures.inside + (goesIn ? 1 : entry ? 0 : before === 'exit' ? 0 : -1)),
    entries: figures.entries + (entry ? 1 : 0),
    exits: figures.exits + (entry ? 0 : 1),
    duplicates: figures.duplicates + (admission.duplicate ? 1 : 0),
    outsideVenue: figures.outsideVenue + (admission.outsideVenue ? 1 : 0),
    storedValueDebits: withDebit(figures.storedValueDebits, admission.debit),
    perMinute: withMinute(figures.perMinute, admission, entry),
    gates: withGate(figures.gates, admission, entry),
    terminals: figures.terminals.map((terminal) =>
      terminal.id === admission.terminalId ? withFix(terminal, admission) : terminal,
    ),
    recent: [admission, ...figures.recent].slice(0, recentMax),
    flagged: flagged ? [admission, ...figures.flagged].slice(0, flaggedMax) : figures.flagged,
    points:
      admission.latitude === null || admission.longitude === null
        ? figures.points
        : [
            ...figures.points.slice(Math.max(0, figures.points.length + 1 - pointsMax)),
            {
              latitude: admission.latitude,
              longitude: admission.longitude,
              outsideVenue: admission.outsideVenue,
              gate: admission.gate,
              duplicate: admission.duplicate,
            },
          ],
  };
}

/**
 * A stored-value debit: the admission names no asset, so it is added when the performance's
 * tickets hold one asset (they do: a stored-value category has one); otherwise the next re-read
 * of the snapshot brings it.
 */
function withDebit(debits: Figures['storedValueDebits'], debit: string) {
  if (isZero(debit) || debits.length !== 1) return debits;
  const [only] = debits as [{ asset: string; amount: string }];
  return [{ asset: only.asset, amount: addDecimal(only.amount, debit) }];
}

function withMinute(perMinute: Figures['perMinute'], admission: LiveAdmission, entry: boolean) {
  const minute = minuteOf(admission.scannedAt);
  const index = perMinute.findIndex((m) => m.minute === minute && m.gate === admission.gate);
  const row = index < 0 ? { minute, gate: admission.gate, entries: 0, exits: 0 } : perMinute[index];
  if (!row) return perMinute;
  const next = {
    ...row,
    entries: row.entries + (entry ? 1 : 0),
    exits: row.exits + (entry ? 0 : 1),
  };
  if (index >= 0) return perMinute.map((m, i) => (i === index ? next : m));
  return [...perMinute, next].sort((a, b) => a.minute.localeCompare(b.minute));
}

function withGate(gates: Figures['gates'], admission: LiveAdmission, entry: boolean) {
  const blank = { gate: admission.gate, entries: 0, exits: 0, duplicates: 0, outsideVenue: 0 };
  const row = gates.find((g) => g.gate === admission.gate) ?? blank;
  const next = {
    ...row,
    entries: row.entries + (entry ? 1 : 0),
    exits: row.exits + (entry ? 0 : 1),
    duplicates: row.duplicates + (admission.duplicate ? 1 : 0),
    outsideVenue: row.outsideVenue + (admission.outsideVenue ? 1 : 0),
  };
  return row === blank ? [...gates, next] : gates.map((g) => (g === row ? next : g));
}

/** An admission is news from its terminal: it was in contact then, and where it was. */
function withFix(terminal: CheckinTerminal, admission: LiveAdmission): CheckinTerminal {
  const seen =
    terminal.lastSeenAt && Date.parse(terminal.lastSeenAt) >= Date.parse(admission.recordedAt)
      ? terminal.lastSeenAt
      : admission.recordedAt;
  const positioned = admission.latitude !== null && admission.longitude !== null;
  const newer =
    !terminal.lastFix || Date.parse(terminal.lastFix.at) <= Date.parse(admission.scannedAt);
  if (!positioned || !newer) return { ...terminal, lastSeenAt: seen };
  return {
    ...terminal,
    lastSeenAt: seen,
    lastFix: {
      latitude: admission.latitude as number,
      longitude: admission.longitude as number,
      accuracyM: admission.accuracyM,
      at: admission.scannedAt,
    },
    outsideVenue: admission.outsideVenue,
  };
}

/** The figures after one refused scan: its reason counted. */
export function applyRefusal<F extends Figures>(figures: F, refusal: LiveRefusal): F {
  const found = figures.refusals.some((r) => r.reason === refusal.reason);
  const refusals = found
    ? figures.refusals.map((r) => (r.reason === refusal.reason ? { ...r, count: r.count + 1 } : r))
    : [...figures.refusals, { reason: refusal.reason, count: 1 }];
  return { ...figures, refusals: [...refusals].sort((a, b) => b.count - a.count) };
}

/** A feed event kept until a snapshot covers it. */
export type Pending =
  | { kind: 'admission'; admission: LiveAdmission }
  | { kind: 'refusal'; refusal: LiveRefusal };

/** Keeps at most this many events between two snapshots (about a minute of a busy venue). */
export const pendingMax = 5_000;

/** Whether the snapshot already counts the event (admissions by seq, refusals by time). */
export function covered(snapshot: Pick<Figures, 'lastSeq' | 'generatedAt'>, event: Pending) {
  return event.kind === 'admission'
    ? event.admission.seq <= snapshot.lastSeq
    : Date.parse(event.refusal.at) <= Date.parse(snapshot.generatedAt);
}

/**
 * A fresh snapshot with the feed's events it does not cover yet applied on top: the figures as
 * the server would give them now. Returns the figures, the tickets' whereabouts and the events
 * still to keep.
 */
export function rebase<F extends Figures>(snapshot: F, pending: readonly Pending[]) {
  const known = whereaboutsOf(snapshot);
  const kept = pending.filter((event) => !covered(snapshot, event));
  let figures = snapshot;
  for (const event of kept) {
    figures =
      event.kind === 'admission'
        ? applyAdmission(figures, event.admission, known)
        : applyRefusal(figures, event.refusal);
  }
  return { figures, known, pending: kept };
}
