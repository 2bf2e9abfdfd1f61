/**
 * The gate terminal (unit 400) without its screens: the credential from enrolment (416), the
 * event package kept in sync, the decision for each ticket read (408), online first (claim 12)
 * and offline when the server is slow or gone (claim 11), the clock (412: the server's, learnt
 * from its answers, as the buyer's app does), the position (414),
 * the admission log with its uploads, and the live feed of the other gates' admissions.
 *
 * Everything the offline check needs is held in memory, so a decision never waits on storage;
 * every change is written through to IndexedDB (store.ts), so a reload or a flat battery loses
 * nothing. Screens read `snapshot()` and subscribe to changes.
 */
import {
  type AdmissionRecord,
  decodePresentation,
  fromBase64url,
  type Keyring,
  type ManualCodeRecord,
  manualCodeRecordFromJson,
  type Decision as ProtocolDecision,
  prepareRevocations,
  presentationFromText,
  protocol,
  type RevocationList,
  type TicketTerms,
} from '@tessera/protocol/web';
import { serverNowMs } from '@tessera/web-kit/server-clock';
import {
  ApiError,
  type EventPackage,
  type GateApi,
  gateApi,
  NetworkError,
  type OnlineAnswer,
  onlineTimeoutMs,
  type PackageAdmission,
  type PackageManualCode,
  type PackagePerformance,
  type Position,
  type UploadItem,
  type Venue,
} from './api.ts';
import { type FeedAdmission, followFeed } from './feed.ts';
import { distanceM, formatUnits } from './measure.ts';
import { clearAll, getAll, getAllPending, getValue, setValue, write } from './store.ts';

export type Mode = 'online' | 'offline';
export type Direction = 'entry' | 'exit';
export type InputKind = 'camera' | 'scanner' | 'manual';

export interface Credential {
  token: string;
  terminal: { id: string; name: string; gate: string };
  enrolledAt: string;
}

/** The small part of the package that comes whole every time. */
interface PackageHeader {
  venue: Venue;
  keys: EventPackage['keys'];
  performances: PackagePerformance[];
  manualCodesComplete: boolean;
  terminal: { id: string; name: string; gate: string };
}

/** One decision of this terminal, as logged on the device. */
export interface LogEntry {
  nonce: string;
  /** Scan time, ISO. */
  at: string;
  source: Mode;
  input: InputKind;
  admitted: boolean;
  reason: string;
  detail: string;
  direction: Direction;
  performanceCode: string | null;
  ticketNumber: string | null;
  revision: number | null;
  presentationTime: number | null;
  debit: string;
  position: Position | null;
  /** 1 while an offline admission waits to be uploaded (IndexedDB cannot index booleans). */
  pending: 0 | 1;
  /** What the server said about the upload: new, already or unknown_ticket. */
  uploaded: string | null;
  flaggedDuplicate: boolean;
  seat: string | null;
  category: string | null;
}

/** What the screen shows for one ticket read. */
export interface Decision {
  admitted: boolean;
  /** valid, reentry, exit, a protocol reason, not_inside, no_reentry, rate_limited, … */
  reason: string;
  detail: string;
  source: Mode;
  direction: Direction;
  ticketNumber: string | null;
  /** single, multi, timed or stored_value, once the ticket is known. */
  kind: string | null;
  seat: string | null;
  category: string | null;
  holder: string | null;
  usesRemaining: number | null;
  /** Stored value left, formatted with its asset. */
  valueRemaining: string | null;
  firstAdmission: { at: string; gate: string | null } | null;
  outsideVenue: boolean;
  /** When the decision was made (ms since the epoch). */
  decidedAt: number;
}

export interface GateCounter {
  gate: string;
  entries: number;
  exits: number;
}

export interface Snapshot {
  booted: boolean;
  credential: Credential | undefined;
  mode: Mode;
  venue: Venue | undefined;
  performances: PackagePerformance[];
  lastSyncAt: string | null;
  syncError: string | null;
  pendingUploads: number;
  manualCodes: number;
  manualCodesComplete: boolean;
  counters: GateCounter[];
  position: Position | null;
  outsideVenue: boolean;
  distanceM: number | null;
  feedLive: boolean;
  recent: LogEntry[];
}

/** Sync the package and send uploads this often while online. */
const syncIntervalMs = 15_000;
/** While offline, ask the server this often whether it is back. */
const probeIntervalMs = 2_000;
/**
 * An offline terminal goes back online only when a small sync answers within this time: twice
 * the online check's limit, so a server that is back but still struggling does not make every
 * ticket wait for a timeout.
 */
const backOnlineWithinMs = 2 * onlineTimeoutMs;
/** The server takes at most 500 admissions per upload. */
const uploadBatchMax = 500;
/** Offline, wrong manual codes allowed per ten minutes, like the server's limit per terminal. */
const manualFailuresMax = 10;
const manualFailureWindowMs = 10 * 60_000;
/** The log screen shows this many recent decisions. */
const recentMax = 50;
/** Feed admissions are written to storage in batches at most this far apart. */
const feedFlushMs = 500;

const ticketKey = (code: string, number: string) => `${code}\u0000${number}`;

/**
 * One admission, whatever told us of it (package, live feed, our own log), has the same key, so
 * it counts once in the duplicate check: ticket, direction, scan time and terminal.
 */
function admissionKey(
  code: string,
  number: string,
  direction: string,
  scannedAtMs: number,
  terminalId: string,
) {
  return `${code}|${number}|${direction}|${scannedAtMs}|${terminalId}`;
}

interface StoredAdmission {
  key: string;
  performanceCode: string;
  ticketNumber: string;
  revision: number;
  direction: Direction;
  debit: string;
  scannedAtMs: number;
  presentationTime: number | null;
  gate: string;
  terminalId: string;
}

interface StoredRevocation {
  key: string;
  performanceCode: string;
  ticketNumber: string;
  throughRevision: number;
}

function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `n${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

export class GateTerminal {
  private api: GateApi;
  private credential: Credential | undefined;
  private header: PackageHeader | undefined;
  private keyring: Keyring | undefined;
  private cursor: string | undefined;
  private lastSyncAt: string | null = null;
  private syncError: string | null = null;
  /** The browser's word to start with; the first call to the server settles it. */
  private mode: Mode = typeof navigator !== 'undefined' && !navigator.onLine ? 'offline' : 'online';
  private booted = false;
  private readonly manualCodes = new Map<string, PackageManualCode>();
  private readonly revoked = new Map<string, StoredRevocation>();
  private revocationList: RevocationList = prepareRevocations([]);
  /** Every known admission by ticket, then by admission key. */
  private readonly history = new Map<string, Map<string, AdmissionRecord>>();
  private readonly counts = new Map<string, GateCounter>();
  private readonly log: LogEntry[] = [];
  private pendingUploads = 0;
  private position: Position | null = null;
  private feedLive = false;
  private feedStop: (() => void) | undefined;
  private lastEventId: string | undefined;
  private feedQueue: StoredAdmission[] = [];
  private feedTimer: ReturnType<typeof setTimeout> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private syncing: Promise<void> | undefined;
  private readonly manualFailures: number[] = [];
  private readonly listeners = new Set<() => void>();
  private cached: Snapshot | undefined;
  /** Plays the outcome (sound and vibration); the screen sets it. */
  onDecision: ((decision: Decision) => void) | undefined;

  constructor(
    private readonly ticketingUrl: string,
    /** Development servers: the enrolment screen says where a demo code comes from. */
    readonly development = false,
  ) {
    this.api = gateApi(ticketingUrl, undefined);
  }

  // -------------------------------------------------------------------------------------------
  // State for the screens

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  snapshot = (): Snapshot => {
    if (this.cached) return this.cached;
    const venue = this.header?.venue;
    const distance = venue && this.position ? Math.round(distanceM(venue, this.position)) : null;
    this.cached = {
      booted: this.booted,
      credential: this.credential,
      mode: this.mode,
      venue,
      performances: this.header?.performances ?? [],
      lastSyncAt: this.lastSyncAt,
      syncError: this.syncError,
      pendingUploads: this.pendingUploads,
      manualCodes: this.manualCodes.size,
      manualCodesComplete: this.header?.manualCodesComplete ?? false,
      counters: [...this.counts.values()].sort((a, b) => a.gate.localeCompare(b.gate)),
      position: this.position,
      outsideVenue: venue !== undefined && distance !== null && distance > venue.radiusM,
      distanceM: distance,
      feedLive: this.feedLive,
      recent: this.log.slice(-recentMax).reverse(),
    };
    return this.cached;
  };

  private changed() {
    this.cached = undefined;
    for (const listener of this.listeners) listener();
  }

  // -------------------------------------------------------------------------------------------
  // Start, enrolment, sync

  /** Reads what the device kept; starts syncing if the terminal is enrolled. */
  async boot(): Promise<void> {
    const credential = await getValue<Credential>('credential');
    if (credential) {
      this.credential = credential;
      this.api = gateApi(this.ticketingUrl, credential.token);
      const [header, cursor, lastSyncAt, lastEventId] = await Promise.all([
        getValue<PackageHeader>('package'),
        getValue<string>('cursor'),
        getValue<string>('lastSyncAt'),
        getValue<string>('lastEventId'),
      ]);
      this.cursor = cursor;
      this.lastSyncAt = lastSyncAt ?? null;
      this.lastEventId = lastEventId;
      if (header) await this.applyHeader(header);
      const [codes, revocations, admissions, log] = await Promise.all([
        getAll<PackageManualCode>('manualCodes'),
        getAll<StoredRevocation>('revocations'),
        getAll<StoredAdmission>('admissions'),
        getAll<LogEntry>('log'),
      ]);
      for (const code of codes) this.manualCodes.set(code.manualNumber, code);
      for (const revocation of revocations) this.revoked.set(revocation.key, revocation);
      this.revocationList = prepareRevocations(this.revocationEntries());
      for (const admission of admissions) this.remember(admission);
      log.sort((a, b) => a.at.localeCompare(b.at));
      for (const entry of log) this.addToLog(entry);
      this.startLoops();
    }
    this.booted = true;
    this.changed();
  }

  /** Unit 416: trades the one-time code for the terminal's credential, then loads the package. */
  async enrol(code: string, name: string): Promise<void> {
    const enrolled = await gateApi(this.ticketingUrl, undefined).enrol(code.trim(), name.trim());
    await clearAll();
    this.reset();
    this.credential = {
      token: enrolled.token,
      terminal: {
        id: enrolled.terminal.id,
        name: enrolled.terminal.name,
        gate: enrolled.terminal.gate,
      },
      enrolledAt: new Date().toISOString(),
    };
    this.api = gateApi(this.ticketingUrl, enrolled.token);
    await setValue('credential', this.credential);
    this.mode = 'online';
    this.changed();
    // The loops sync at once; a first download that fails is tried again by them.
    this.startLoops();
    await this.sync().catch(() => undefined);
  }

  /** Forgets the enrolment and everything of it (after the uploads, which the caller checks). */
  async unenrol(): Promise<void> {
    this.stopLoops();
    await clearAll();
    this.reset();
    this.changed();
  }

  private reset() {
    this.credential = undefined;
    this.header = undefined;
    this.keyring = undefined;
    this.cursor = undefined;
    this.lastSyncAt = null;
    this.lastEventId = undefined;
    this.manualCodes.clear();
    this.revoked.clear();
    this.revocationList = prepareRevocations([]);
    this.history.clear();
    this.counts.clear();
    this.log.length = 0;
    this.pendingUploads = 0;
  }

  /**
   * The one sync loop: the next run `delayMs` from now, replacing any planned. Each run plans the
   * next: a full period online, a short probe offline, so the terminal notices the server's
   * return by itself.
   */
  private schedule(delayMs: number) {
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      try {
        await this.sync();
      } catch {
        // sync() records what went wrong for the status bar.
      }
      if (this.credential) {
        this.schedule(this.mode === 'online' ? syncIntervalMs : probeIntervalMs);
      }
    }, delayMs);
  }

  private startLoops() {
    this.stopLoops();
    this.schedule(0);
    this.followFeed();
    window.addEventListener('offline', this.wentOffline);
    window.addEventListener('online', this.cameBack);
  }

  private stopLoops() {
    clearTimeout(this.timer);
    this.feedStop?.();
    this.feedStop = undefined;
    window.removeEventListener('offline', this.wentOffline);
    window.removeEventListener('online', this.cameBack);
  }

  private wentOffline = () => this.setMode('offline');

  private cameBack = () => this.schedule(0);

  private setMode(mode: Mode) {
    if (this.mode === mode) return;
    this.mode = mode;
    // Offline: probe soon rather than at the end of a full sync period.
    if (mode === 'offline' && this.credential) this.schedule(probeIntervalMs);
    this.changed();
  }

  /**
   * Uploads what was admitted offline, then brings the package up to date. Success proves the
   * server answers, so the terminal goes (back) online; a network failure leaves it offline.
   * Calls at the same time share one run.
   */
  sync(): Promise<void> {
    this.syncing ??= this.runSync().finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async runSync() {
    if (!this.credential) return;
    try {
      let uploadRefused: string | null = null;
      try {
        await this.uploadPending();
      } catch (error) {
        // A refused upload (not a lost one) must not stop the package from syncing: the
        // admissions stay pending and are offered again next time; the status bar says why.
        if (!(error instanceof ApiError) || error.status >= 500 || error.status === 401)
          throw error;
        uploadRefused = error.message;
      }
      let page: EventPackage;
      let slow = false;
      do {
        const asked = performance.now();
        page = await this.api.eventPackage(this.cursor, this.pendingUploads);
        // A first page with little in it that still took long: the server answers, but too
        // slowly for the online check, which would only time out on every ticket.
        slow ||= performance.now() - asked > backOnlineWithinMs && !page.full && !page.more;
        await this.applyPackage(page);
      } while (page.more);
      this.lastSyncAt = new Date().toISOString();
      this.syncError = uploadRefused;
      await setValue('lastSyncAt', this.lastSyncAt);
      if (this.mode === 'online' || !slow) this.setMode('online');
      // The server answers: a feed still waiting out its back-off reconnects now.
      if (!this.feedLive) {
        this.feedStop?.();
        this.feedStop = undefined;
        this.followFeed();
      }
    } catch (error) {
      this.syncError = error instanceof Error ? error.message : String(error);
      if (error instanceof NetworkError || (error instanceof ApiError && error.status >= 500)) {
        this.setMode('offline');
      }
      throw error;
    } finally {
      this.changed();
    }
  }

  private async applyHeader(header: PackageHeader) {
    this.header = header;
    this.keyring = await protocol.prepareKeyring(
      header.keys.map((key) => ({
        publicKey: fromBase64url(key.publicKey),
        eventIds: key.eventIds,
        label: key.keyId,
      })),
    );
  }

  /** Applies one package page, idempotently (docs/gates.md: changes may come twice). */
  private async applyPackage(page: EventPackage) {
    if (page.full) {
      this.manualCodes.clear();
      this.revoked.clear();
      // Our own log stays: it is what this terminal did, and the server may not have it yet.
      this.history.clear();
      this.counts.clear();
      for (const entry of this.log) this.rememberLogEntry(entry);
    }
    const header: PackageHeader = {
      venue: page.venue,
      keys: page.keys,
      performances: page.performances,
      manualCodesComplete: page.manualCodesComplete,
      terminal: page.terminal,
    };
    await this.applyHeader(header);
    if (this.credential) this.credential = { ...this.credential, terminal: page.terminal };
    for (const code of page.manualCodes) this.manualCodes.set(code.manualNumber, code);
    const revocations: StoredRevocation[] = [];
    for (const entry of page.revocations) {
      const key = `${entry.performanceCode}/${entry.ticketNumber}`;
      const known = this.revoked.get(key);
      if (known && known.throughRevision >= entry.throughRevision) continue;
      const revocation = {
        key,
        performanceCode: entry.performanceCode,
        ticketNumber: entry.ticketNumber,
        throughRevision: entry.throughRevision,
      };
      this.revoked.set(key, revocation);
      revocations.push(revocation);
    }
    this.revocationList = prepareRevocations(this.revocationEntries());
    const admissions = page.admissions.map(storedFromPackage);
    for (const admission of admissions) this.remember(admission);
    this.cursor = page.cursor;
    // One transaction: a page is kept whole with its cursor, or not at all.
    await write({
      clear: page.full ? ['manualCodes', 'revocations', 'admissions'] : [],
      put: { manualCodes: page.manualCodes, revocations, admissions },
      kv: {
        package: header,
        cursor: page.cursor,
        ...(this.credential ? { credential: this.credential } : {}),
      },
    });
  }

  private revocationEntries() {
    return [...this.revoked.values()].map((entry) => ({
      eventId: entry.performanceCode,
      ticketId: entry.ticketNumber,
      throughRevision: entry.throughRevision,
    }));
  }

  /** Adds an admission to the duplicate check and the counters, once per key. */
  private remember(admission: StoredAdmission): boolean {
    const key = ticketKey(admission.performanceCode, admission.ticketNumber);
    let records = this.history.get(key);
    if (!records) {
      records = new Map();
      this.history.set(key, records);
    }
    if (records.has(admission.key)) return false;
    records.set(admission.key, {
      direction: admission.direction,
      atS: Math.floor(admission.scannedAtMs / 1000),
      revision: admission.revision,
      ...(admission.presentationTime !== null
        ? { presentationTimeS: admission.presentationTime }
        : {}),
      debit: BigInt(admission.debit),
      gate: admission.gate,
      terminalId: admission.terminalId,
    });
    const counter = this.counts.get(admission.gate) ?? {
      gate: admission.gate,
      entries: 0,
      exits: 0,
    };
    this.counts.set(admission.gate, {
      ...counter,
      entries: counter.entries + (admission.direction === 'entry' ? 1 : 0),
      exits: counter.exits + (admission.direction === 'exit' ? 1 : 0),
    });
    return true;
  }

  private rememberLogEntry(entry: LogEntry) {
    if (!entry.admitted || !entry.performanceCode || !entry.ticketNumber || !this.credential) {
      return;
    }
    const scannedAtMs = Date.parse(entry.at);
    this.remember({
      key: admissionKey(
        entry.performanceCode,
        entry.ticketNumber,
        entry.direction,
        scannedAtMs,
        this.credential.terminal.id,
      ),
      performanceCode: entry.performanceCode,
      ticketNumber: entry.ticketNumber,
      revision: entry.revision ?? 1,
      direction: entry.direction,
      debit: entry.debit,
      scannedAtMs,
      presentationTime: entry.presentationTime,
      gate: this.credential.terminal.gate,
      terminalId: this.credential.terminal.id,
    });
  }

  private addToLog(entry: LogEntry) {
    this.log.push(entry);
    if (entry.pending) this.pendingUploads += 1;
    this.rememberLogEntry(entry);
  }

  // -------------------------------------------------------------------------------------------
  // The live feed of admissions at every gate

  private followFeed() {
    if (!this.credential || this.feedStop) return;
    this.feedStop = followFeed({
      url: new URL('/v1/terminal/feed', this.ticketingUrl).href,
      token: this.credential.token,
      lastEventId: () => this.lastEventId,
      onAdmission: (admission, id) => this.feedAdmission(admission, id),
      onState: (live) => {
        this.feedLive = live;
        this.changed();
      },
    });
  }

  private feedAdmission(admission: FeedAdmission, id: string) {
    this.lastEventId = id;
    const stored = storedFromFeed(admission);
    if (this.remember(stored)) this.changed();
    this.feedQueue.push(stored);
    this.feedTimer ??= setTimeout(() => {
      this.feedTimer = undefined;
      const batch = this.feedQueue.splice(0);
      void write({ put: { admissions: batch }, kv: { lastEventId: this.lastEventId } }).catch(
        (error: unknown) => console.error('keeping the feed failed', error),
      );
    }, feedFlushMs);
  }

  // -------------------------------------------------------------------------------------------
  // Position (unit 414)

  setPosition(position: Position | null) {
    this.position = position;
    this.changed();
  }

  // -------------------------------------------------------------------------------------------
  // Decisions (units 408 and 412, claims 11 and 12)

  /** The debit typed at the gate in the smallest unit of the stored-value categories' scale. */
  storedValueScale(): { scale: number; asset: string | null } {
    for (const performance of this.header?.performances ?? []) {
      for (const category of performance.categories) {
        if (category.kind === 'stored_value' && category.storedValueScale !== null) {
          return { scale: category.storedValueScale, asset: category.storedValueAsset };
        }
      }
    }
    return { scale: 0, asset: null };
  }

  /** Decides on a barcode read by the camera or a scanner. */
  decideBarcode(text: string, input: InputKind, direction: Direction, debit: bigint) {
    return this.decide({ barcode: text }, input, direction, debit);
  }

  /** Decides on a ticket number and PIN typed in. */
  decideManual(ticketNumber: string, pin: string, direction: Direction, debit: bigint) {
    return this.decide({ ticketNumber, pin }, 'manual', direction, debit);
  }

  private async decide(
    what: { barcode: string } | { ticketNumber: string; pin: string },
    input: InputKind,
    direction: Direction,
    debit: bigint,
  ): Promise<Decision> {
    if (!this.credential) throw new Error('the terminal is not enrolled');
    // Unit 412: the scan's time by the server's clock, as learnt from its answers' Date headers
    // (kept for when the network is gone). Offline, a barcode is fresh or stale by this clock,
    // so a terminal whose own clock is off neither turns away live barcodes nor takes old ones.
    const scannedAt = new Date(serverNowMs());
    const position = this.position;
    let decision: Decision | undefined;
    let entry: LogEntry | undefined;
    if (this.mode === 'online') {
      try {
        const answer = await this.api.verify({
          ...what,
          direction,
          ...(debit > 0n ? { debit: debit.toString() } : {}),
          scannedAt: scannedAt.toISOString(),
          ...(position ? { position } : {}),
        });
        ({ decision, entry } = this.fromOnline(answer, what, input, direction, debit, scannedAt));
      } catch (error) {
        if (error instanceof ApiError && error.status < 500) {
          ({ decision, entry } = this.fromRefusedCall(error, input, direction, scannedAt));
        } else {
          // Slow or gone (claim 12 cannot answer in time): decide here, at once (claim 11).
          this.setMode('offline');
        }
      }
    }
    if (!decision || !entry) {
      ({ decision, entry } = await this.decideOffline(what, input, direction, debit, scannedAt));
    }
    this.addToLog(entry);
    this.changed();
    this.onDecision?.(decision);
    // Written after the answer is on its way to the screen; the memory copy already counts.
    write({ put: { log: [entry] } }).catch((error: unknown) =>
      console.error('the admission log could not be written', error),
    );
    return decision;
  }

  private baseEntry(
    input: InputKind,
    direction: Direction,
    scannedAt: Date,
    source: Mode,
  ): LogEntry {
    return {
      nonce: newNonce(),
      at: scannedAt.toISOString(),
      source,
      input,
      admitted: false,
      reason: '',
      detail: '',
      direction,
      performanceCode: null,
      ticketNumber: null,
      revision: null,
      presentationTime: null,
      debit: '0',
      position: this.position,
      pending: 0,
      uploaded: null,
      flaggedDuplicate: false,
      seat: null,
      category: null,
    };
  }

  private outside(): boolean {
    const venue = this.header?.venue;
    return !!venue && !!this.position && distanceM(venue, this.position) > venue.radiusM;
  }

  private fromOnline(
    answer: OnlineAnswer,
    what: { barcode: string } | { ticketNumber: string; pin: string },
    input: InputKind,
    direction: Direction,
    debit: bigint,
    scannedAt: Date,
  ) {
    const ticket = answer.ticket;
    let presentationTime: number | null = null;
    let revision: number | null = null;
    if ('barcode' in what && ticket) {
      try {
        const presentation = decodePresentation(presentationFromText(what.barcode));
        presentationTime = presentation.timeS;
        revision = presentation.credential.revision;
      } catch {
        // The server read it; the log just lacks the barcode's own time.
      }
    } else if (ticket) {
      revision =
        [...this.manualCodes.values()].find(
          (code) =>
            code.performanceCode === ticket.performanceCode && code.ticketNumber === ticket.number,
        )?.revision ?? null;
    }
    const storedValue = ticket?.kind === 'stored_value';
    const entry: LogEntry = {
      ...this.baseEntry(input, direction, scannedAt, 'online'),
      admitted: answer.admitted,
      reason: answer.reason,
      detail: answer.detail,
      performanceCode: ticket?.performanceCode ?? null,
      ticketNumber: ticket?.number ?? null,
      revision,
      presentationTime,
      debit: answer.admitted && storedValue ? debit.toString() : '0',
      seat: ticket?.seat ?? null,
      category: ticket?.category ?? null,
    };
    const { scale, asset } = this.storedValueScale();
    const decision: Decision = {
      admitted: answer.admitted,
      reason: answer.reason,
      detail: answer.detail,
      source: 'online',
      direction,
      ticketNumber: ticket?.number ?? null,
      kind: ticket?.kind ?? null,
      seat: ticket?.seat ?? null,
      category: ticket?.category ?? null,
      holder: ticket?.holderFirstName ?? null,
      usesRemaining: ticket?.usesRemaining ?? null,
      valueRemaining:
        ticket?.valueRemaining != null
          ? `${formatUnits(BigInt(ticket.valueRemaining), scale)}${asset ? ` ${asset}` : ''}`
          : null,
      firstAdmission: answer.firstAdmission
        ? { at: answer.firstAdmission.at, gate: answer.firstAdmission.gate }
        : null,
      outsideVenue: this.outside(),
      decidedAt: Date.now(),
    };
    return { decision, entry };
  }

  /** The server refused the call itself (too many wrong PINs, a revoked terminal, bad input). */
  private fromRefusedCall(
    error: ApiError,
    input: InputKind,
    direction: Direction,
    scannedAt: Date,
  ) {
    const reason =
      error.status === 429
        ? 'rate_limited'
        : error.status === 401
          ? 'terminal_revoked'
          : 'malformed';
    const entry: LogEntry = {
      ...this.baseEntry(input, direction, scannedAt, 'online'),
      reason,
      detail: error.message,
    };
    return { decision: this.refusal(reason, error.message, 'online', direction), entry };
  }

  private refusal(reason: string, detail: string, source: Mode, direction: Direction): Decision {
    return {
      admitted: false,
      reason,
      detail,
      source,
      direction,
      ticketNumber: null,
      kind: null,
      seat: null,
      category: null,
      holder: null,
      usesRemaining: null,
      valueRemaining: null,
      firstAdmission: null,
      outsideVenue: this.outside(),
      decidedAt: Date.now(),
    };
  }

  /** Claim 11: the protocol's offline check with the package, the log and the feed. */
  private async decideOffline(
    what: { barcode: string } | { ticketNumber: string; pin: string },
    input: InputKind,
    direction: Direction,
    debit: bigint,
    scannedAt: Date,
  ): Promise<{ decision: Decision; entry: LogEntry }> {
    const entry = this.baseEntry(input, direction, scannedAt, 'offline');
    const performances = this.header?.performances ?? [];
    if (!this.keyring || performances.length === 0) {
      const detail = 'the event package has not been downloaded yet';
      return {
        decision: this.refusal('no_package', detail, 'offline', direction),
        entry: { ...entry, reason: 'no_package', detail },
      };
    }
    const nowS = Math.floor(scannedAt.getTime() / 1000);
    const context = {
      eventIds: performances.map((performance) => performance.code),
      nowS,
      revocations: this.revocationList,
      history: {
        admissionsFor: (eventId: string, ticketId: string) => [
          ...(this.history.get(ticketKey(eventId, ticketId))?.values() ?? []),
        ],
      },
      // An exit debits nothing; the check for it is the entry's, then the rules below.
      debit: direction === 'entry' ? debit : 0n,
    };
    let result: ProtocolDecision;
    let presentationTime: number | null = null;
    if ('barcode' in what) {
      result = await protocol.verifyPresentation(what.barcode, {
        ...context,
        keyring: this.keyring,
      });
      if (result.admitted || result.terms) {
        presentationTime = decodePresentation(presentationFromText(what.barcode)).timeS;
      }
    } else {
      if (this.tooManyWrongCodes(scannedAt.getTime())) {
        const detail = 'too many wrong manual codes; wait ten minutes or scan the barcode';
        return {
          decision: this.refusal('rate_limited', detail, 'offline', direction),
          entry: { ...entry, reason: 'rate_limited', detail },
        };
      }
      result = await protocol.verifyManualCode(
        { ticketNumber: what.ticketNumber, pin: what.pin },
        { ...context, lookup: (number) => this.manualRecord(number) },
      );
      if (!result.admitted && result.reason === 'wrong_code') {
        this.manualFailures.push(scannedAt.getTime());
      }
    }
    const terms = result.terms;
    let admitted = result.admitted;
    let reason: string = result.reason;
    let detail = result.admitted ? 'admit' : result.detail;
    let reentry = result.admitted && result.reentry;
    if (direction === 'exit' && terms && (result.admitted || result.reason === 'already_used')) {
      // Scanning out: the ticket must allow coming back, and the holder must be inside.
      const records = [
        ...(this.history.get(ticketKey(terms.eventId, terms.ticketId))?.values() ?? []),
      ].sort((a, b) => a.atS - b.atS);
      const inside = records.at(-1)?.direction === 'entry';
      admitted = terms.reentryAllowed && inside;
      reason = admitted ? 'exit' : terms.reentryAllowed ? 'not_inside' : 'no_reentry';
      detail = admitted
        ? 'scanned out'
        : terms.reentryAllowed
          ? 'the holder has not entered, so cannot scan out'
          : 'this ticket does not allow leaving and coming back';
      reentry = false;
    } else if (direction === 'exit' && admitted) {
      admitted = false;
      reason = 'not_inside';
      detail = 'the holder has not entered, so cannot scan out';
    } else if (reentry) {
      reason = 'reentry';
      detail = 'welcome back';
    }
    const labels = terms ? this.labelsOf(terms) : { seat: null, category: null };
    const storedValue = terms?.kind === 'stored_value';
    const { scale, asset } = this.storedValueScale();
    const first = !result.admitted ? result.firstAdmission : undefined;
    const logged: LogEntry = {
      ...entry,
      admitted,
      reason,
      detail,
      performanceCode: terms?.eventId ?? null,
      ticketNumber: terms?.ticketId ?? null,
      revision: terms?.revision ?? null,
      presentationTime,
      debit: admitted && storedValue && direction === 'entry' ? debit.toString() : '0',
      pending: admitted ? 1 : 0,
      seat: labels.seat,
      category: labels.category,
    };
    const decision: Decision = {
      admitted,
      reason,
      detail,
      source: 'offline',
      direction,
      ticketNumber: terms?.ticketId ?? null,
      kind: terms?.kind ?? null,
      seat: labels.seat,
      category: labels.category,
      holder: null,
      usesRemaining: result.admitted && direction === 'entry' ? result.usesRemaining : null,
      valueRemaining:
        result.admitted && result.valueRemaining !== null && direction === 'entry'
          ? `${formatUnits(result.valueRemaining, scale)}${asset ? ` ${asset}` : ''}`
          : null,
      firstAdmission: first
        ? { at: new Date(first.atS * 1000).toISOString(), gate: first.gate ?? null }
        : null,
      outsideVenue: this.outside(),
      decidedAt: Date.now(),
    };
    return { decision, entry: logged };
  }

  private tooManyWrongCodes(nowMs: number) {
    while (
      this.manualFailures.length > 0 &&
      (this.manualFailures[0] as number) < nowMs - manualFailureWindowMs
    ) {
      this.manualFailures.shift();
    }
    return this.manualFailures.length >= manualFailuresMax;
  }

  private manualRecord(manualNumber: string): ManualCodeRecord | undefined {
    const entry = this.manualCodes.get(manualNumber);
    return entry ? manualCodeRecordFromJson(entry) : undefined;
  }

  /**
   * The credential carries no category, so offline the category is the one of its performance
   * whose terms match the ticket's; when several match, none is named rather than a wrong one.
   */
  private labelsOf(terms: TicketTerms) {
    const performance = this.header?.performances.find((p) => p.code === terms.eventId);
    const matching = (performance?.categories ?? []).filter(
      (category) =>
        category.kind === terms.kind &&
        category.entriesAllowed === terms.entriesAllowed &&
        category.reentryAllowed === terms.reentryAllowed &&
        category.validFromS === terms.validFromS &&
        category.validUntilS === terms.validUntilS &&
        BigInt(category.storedValue) === terms.storedValue,
    );
    return {
      seat: null,
      category: matching.length === 1 ? (matching[0]?.name ?? null) : null,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Uploads of offline admissions

  /** Sends every offline admission not yet uploaded, in batches; idempotent by nonce. */
  async uploadPending(): Promise<void> {
    for (;;) {
      const pending = this.log.filter((entry) => entry.pending === 1);
      if (pending.length === 0) return;
      const batch = pending.slice(0, uploadBatchMax);
      const answer = await this.api.upload(
        batch.map(
          (entry): UploadItem => ({
            nonce: entry.nonce,
            performanceCode: entry.performanceCode as string,
            ticketNumber: entry.ticketNumber as string,
            revision: entry.revision ?? 1,
            direction: entry.direction,
            scannedAt: entry.at,
            ...(entry.presentationTime !== null
              ? { presentationTime: entry.presentationTime }
              : {}),
            ...(entry.debit !== '0' ? { debit: entry.debit } : {}),
            ...(entry.position ? { position: entry.position } : {}),
          }),
        ),
        pending.length - batch.length,
      );
      const results = new Map(answer.results.map((result) => [result.nonce, result]));
      const done: LogEntry[] = [];
      for (const entry of batch) {
        const result = results.get(entry.nonce);
        if (!result) continue;
        entry.pending = 0;
        entry.uploaded = result.recorded;
        entry.flaggedDuplicate = result.duplicate;
        this.pendingUploads -= 1;
        done.push(entry);
      }
      await write({ put: { log: done } });
      this.changed();
      if (done.length === 0) return;
    }
  }

  /** How many admissions are waiting, from storage (the end-of-event check). */
  async pendingInStorage(): Promise<number> {
    return (await getAllPending<LogEntry>()).length;
  }

  // -------------------------------------------------------------------------------------------
  // Door sales and the end of the event go straight to the server.

  get server(): GateApi {
    return this.api;
  }
}

function storedFromPackage(admission: PackageAdmission): StoredAdmission {
  const scannedAtMs = Date.parse(admission.scannedAt);
  const direction: Direction = admission.direction === 'exit' ? 'exit' : 'entry';
  return {
    key: admissionKey(
      admission.performanceCode,
      admission.ticketNumber,
      direction,
      scannedAtMs,
      admission.terminalId,
    ),
    performanceCode: admission.performanceCode,
    ticketNumber: admission.ticketNumber,
    revision: admission.revision,
    direction,
    debit: admission.debit,
    scannedAtMs,
    presentationTime: admission.presentationTime,
    gate: admission.gate,
    terminalId: admission.terminalId,
  };
}

function storedFromFeed(admission: FeedAdmission): StoredAdmission {
  return {
    key: admissionKey(
      admission.performanceCode,
      admission.ticketNumber,
      admission.direction,
      admission.scannedAt,
      admission.terminalId,
    ),
    performanceCode: admission.performanceCode,
    ticketNumber: admission.ticketNumber,
    revision: admission.revision,
    direction: admission.direction,
    debit: admission.debit,
    scannedAtMs: admission.scannedAt,
    presentationTime: admission.presentationTime,
    gate: admission.gate,
    terminalId: admission.terminalId,
  };
}
