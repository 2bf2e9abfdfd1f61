/**
 * The gate terminal (unit 400) without its screens: the credential from enrolment (416), the
 * event package kept in sync (held-package.ts), the decision for each ticket read (408), online
 * first (claim 12, online-decision.ts) and offline when the server is slow or gone (claim 11,
 * offline-decision.ts), the clock (412: the server's, learnt from its answers, as the buyer's app
 * does), the position (414), the admission log with its uploads, and the live feed of the other
 * gates' admissions (known-admissions.ts).
 *
 * Everything the offline check needs is held in memory, so a decision never waits on storage;
 * every change is written through to IndexedDB (store.ts), so a reload or a flat battery loses
 * nothing. Screens read `snapshot()` and subscribe to changes.
 */
import { protocol } from '@tessera/protocol/web';
import { serverNowMs } from '@tessera/web-kit/server-clock';
import {
  ApiError,
  type EventPackage,
  type GateApi,
  gateApi,
  NetworkError,
  onlineTimeoutMs,
  type PackageManualCode,
  type Position,
  type UploadItem,
} from './api.ts';
import { beginEntry, storedValueScale } from './decision.ts';
import { type FeedAdmission, followFeed } from './feed.ts';
import { HeldPackage, type StoredRevocation } from './held-package.ts';
import {
  KnownAdmissions,
  type StoredAdmission,
  storedFromFeed,
  storedFromLog,
  storedFromPackage,
} from './known-admissions.ts';
import { distanceM } from './measure.ts';
import { decideOffline } from './offline-decision.ts';
import { fromOnline, fromRefusedCall } from './online-decision.ts';
import { clearAll, getAll, getAllPending, getValue, setValue, write } from './store.ts';
import { deviceDescription, type Fix, terminalHeaders } from './terminal-headers.ts';
import type {
  Credential,
  Decided,
  Decision,
  Direction,
  InputKind,
  LogEntry,
  Mode,
  PackageHeader,
  Snapshot,
  TicketRead,
} from './terminal-types.ts';

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
/** The log screen shows this many recent decisions. */
const recentMax = 50;
/** Feed admissions are written to storage in batches at most this far apart. */
const feedFlushMs = 500;

/** An offline admission as the upload sends it. */
function uploadItem(entry: LogEntry): UploadItem {
  return {
    nonce: entry.nonce,
    performanceCode: entry.performanceCode as string,
    ticketId: entry.ticketId as string,
    revision: entry.revision ?? 1,
    direction: entry.direction,
    scannedAt: entry.at,
    ...(entry.presentationTimeS !== null ? { presentationTimeS: entry.presentationTimeS } : {}),
    ...(entry.debit !== '0' ? { debit: entry.debit } : {}),
    ...(entry.position ? { position: entry.position } : {}),
  };
}

export class GateTerminal {
  private api: GateApi;
  private credential: Credential | undefined;
  private readonly held = new HeldPackage();
  private cursor: string | undefined;
  private lastSyncAt: string | null = null;
  private syncError: string | null = null;
  /** The browser's word to start with; the first call to the server settles it. */
  private mode: Mode = typeof navigator !== 'undefined' && !navigator.onLine ? 'offline' : 'online';
  private booted = false;
  private readonly admissions = new KnownAdmissions();
  private readonly log: LogEntry[] = [];
  private pendingUploads = 0;
  private position: Position | null = null;
  /** The position with when it was fixed (by the server's clock), as the server is told. */
  private fix: Fix | null = null;
  private readonly device =
    typeof navigator === 'undefined' ? 'unknown' : deviceDescription(navigator);
  private feedLive = false;
  private feedStop: (() => void) | undefined;
  private lastEventId: string | undefined;
  private feedQueue: StoredAdmission[] = [];
  private feedTimer: ReturnType<typeof setTimeout> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private syncing: Promise<void> | undefined;
  /** Recent wrong manual codes typed offline (ms), for the offline limit. */
  private wrongCodesAtMs: readonly number[] = [];
  private readonly listeners = new Set<() => void>();
  private cached: Snapshot | undefined;
  /** Plays the outcome (sound and vibration); the screen sets it. */
  onDecision: ((decision: Decision) => void) | undefined;

  constructor(
    private readonly ticketingUrl: string,
    /** Development servers: the enrolment screen says where a demo code comes from. */
    readonly development = false,
  ) {
    this.api = this.apiFor(undefined);
  }

  /** The server's API with this terminal's credential; every call says what the terminal is. */
  private apiFor(token: string | undefined): GateApi {
    return gateApi(this.ticketingUrl, token, () => terminalHeaders(this.device, this.fix));
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
    const header = this.held.header;
    const venue = header?.venue;
    const distance = venue && this.position ? Math.round(distanceM(venue, this.position)) : null;
    this.cached = {
      booted: this.booted,
      credential: this.credential,
      mode: this.mode,
      venue,
      performances: header?.performances ?? [],
      lastSyncAt: this.lastSyncAt,
      syncError: this.syncError,
      pendingUploads: this.pendingUploads,
      manualCodes: this.held.manualCodes.size,
      manualCodesComplete: header?.manualCodesComplete ?? false,
      counters: this.admissions.counters(),
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
      this.api = this.apiFor(credential.token);
      const [header, cursor, lastSyncAt, lastEventId] = await Promise.all([
        getValue<PackageHeader>('package'),
        getValue<string>('cursor'),
        getValue<string>('lastSyncAt'),
        getValue<string>('lastEventId'),
      ]);
      this.cursor = cursor;
      this.lastSyncAt = lastSyncAt ?? null;
      this.lastEventId = lastEventId;
      if (header) await this.held.setHeader(header);
      const [codes, revocations, admissions, log] = await Promise.all([
        getAll<PackageManualCode>('manualCodes'),
        getAll<StoredRevocation>('revocations'),
        getAll<StoredAdmission>('admissions'),
        getAll<LogEntry>('log'),
      ]);
      this.held.addManualCodes(codes);
      this.held.addRevocations(revocations);
      for (const admission of admissions) this.admissions.remember(admission);
      log.sort((a, b) => a.at.localeCompare(b.at));
      for (const entry of log) this.addToLog(entry);
      this.startLoops();
    }
    this.booted = true;
    this.changed();
  }

  /** Unit 416: trades the one-time code for the terminal's credential, then loads the package. */
  async enrol(code: string, name: string): Promise<void> {
    const enrolled = await this.apiFor(undefined).enrol(code.trim(), name.trim());
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
    this.api = this.apiFor(enrolled.token);
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
    this.held.clear();
    this.cursor = undefined;
    this.lastSyncAt = null;
    this.lastEventId = undefined;
    this.admissions.clear();
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

  /** Applies one package page, idempotently (docs/gates.md: changes may come twice). */
  private async applyPackage(page: EventPackage) {
    if (page.full) {
      this.held.clearLists();
      // Our own log stays: it is what this terminal did, and the server may not have it yet.
      this.admissions.clear();
      for (const entry of this.log) this.rememberLogEntry(entry);
    }
    const header: PackageHeader = {
      venue: page.venue,
      keys: page.keys,
      performances: page.performances,
      manualCodesComplete: page.manualCodesComplete,
      terminal: page.terminal,
    };
    await this.held.setHeader(header);
    if (this.credential) this.credential = { ...this.credential, terminal: page.terminal };
    this.held.addManualCodes(page.manualCodes);
    const revocations = this.held.addRevocations(page.revocations);
    const admissions = page.admissions.map(storedFromPackage);
    for (const admission of admissions) this.admissions.remember(admission);
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

  private rememberLogEntry(entry: LogEntry) {
    const admission = storedFromLog(entry, this.credential);
    if (admission) this.admissions.remember(admission);
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
    if (this.admissions.remember(stored)) this.changed();
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

  /** The latest fix, `fixedAtMs` by the device's clock (a GeolocationPosition's timestamp). */
  setPosition(position: Position | null, fixedAtMs = Date.now()) {
    this.position = position;
    // Told to the server by its own clock (unit 412), as scans are.
    this.fix = position ? { ...position, at: fixedAtMs + (serverNowMs() - Date.now()) } : null;
    this.changed();
  }

  private outside(): boolean {
    const venue = this.held.header?.venue;
    return !!venue && !!this.position && distanceM(venue, this.position) > venue.radiusM;
  }

  // -------------------------------------------------------------------------------------------
  // Decisions (units 408 and 412, claims 11 and 12)

  /** The debit typed at the gate in the smallest unit of the stored-value categories' scale. */
  storedValueScale(): { scale: number; asset: string | null } {
    return storedValueScale(this.held.header?.performances ?? []);
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
    read: TicketRead,
    input: InputKind,
    direction: Direction,
    debit: bigint,
  ): Promise<Decision> {
    if (!this.credential) throw new Error('the terminal is not enrolled');
    // Unit 412: the scan's time by the server's clock, as learnt from its answers' Date headers
    // (kept for when the network is gone). Offline, a barcode is fresh or stale by this clock,
    // so a terminal whose own clock is off neither turns away live barcodes nor takes old ones.
    const scannedAt = new Date(serverNowMs());
    const decided =
      (this.mode === 'online'
        ? await this.decideOnline(read, input, direction, debit, scannedAt)
        : undefined) ?? (await this.decideHere(read, input, direction, debit, scannedAt));
    const { decision, entry } = decided;
    this.addToLog(entry);
    this.changed();
    this.onDecision?.(decision);
    // Written after the answer is on its way to the screen; the memory copy already counts.
    write({ put: { log: [entry] } }).catch((error: unknown) =>
      console.error('the admission log could not be written', error),
    );
    return decision;
  }

  /** Claim 12: the server's check; undefined when it cannot answer in time (then claim 11). */
  private async decideOnline(
    read: TicketRead,
    input: InputKind,
    direction: Direction,
    debit: bigint,
    scannedAt: Date,
  ): Promise<Decided | undefined> {
    const position = this.position;
    try {
      const answer = await this.api.verify({
        ...read,
        direction,
        ...(debit > 0n ? { debit: debit.toString() } : {}),
        scannedAt: scannedAt.toISOString(),
        ...(position ? { position } : {}),
      });
      return fromOnline(answer, read, this.begin(input, direction, scannedAt, 'online'), {
        debit,
        performances: this.held.header?.performances ?? [],
        manualCodes: this.held.manualCodes.values(),
        categoryIdOf: (eventId, ticketId) => this.held.categoryIdOf(eventId, ticketId),
        outsideVenue: this.outside(),
      });
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) {
        return fromRefusedCall(
          error,
          this.begin(input, direction, scannedAt, 'online'),
          this.outside(),
        );
      }
      // Slow or gone (claim 12 cannot answer in time): decide here, at once (claim 11).
      this.setMode('offline');
      return undefined;
    }
  }

  /** Claim 11: the offline check with the package, the log and the feed. */
  private async decideHere(
    read: TicketRead,
    input: InputKind,
    direction: Direction,
    debit: bigint,
    scannedAt: Date,
  ): Promise<Decided> {
    const begun = this.begin(input, direction, scannedAt, 'offline');
    const outcome = await decideOffline(
      protocol,
      {
        keyring: this.held.keyring,
        performances: this.held.header?.performances ?? [],
        revocations: this.held.revocations,
        admissionsFor: this.admissions.admissionsFor,
        manualCode: (number) => this.held.manualCodes.get(number),
        categoryIdOf: (eventId, ticketId) => this.held.categoryIdOf(eventId, ticketId),
        wrongCodesAtMs: this.wrongCodesAtMs,
      },
      { read, begun, debit, scannedAt, outsideVenue: this.outside() },
    );
    this.wrongCodesAtMs = outcome.wrongCodesAtMs;
    return outcome;
  }

  private begin(input: InputKind, direction: Direction, scannedAt: Date, source: Mode) {
    return beginEntry(input, direction, scannedAt, source, this.position);
  }

  // -------------------------------------------------------------------------------------------
  // Uploads of offline admissions

  /** Sends every offline admission not yet uploaded, in batches; idempotent by nonce. */
  async uploadPending(): Promise<void> {
    for (;;) {
      const pending = this.log.filter((entry) => entry.pending === 1);
      if (pending.length === 0) return;
      const batch = pending.slice(0, uploadBatchMax);
      const answer = await this.api.upload(batch.map(uploadItem), pending.length - batch.length);
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
