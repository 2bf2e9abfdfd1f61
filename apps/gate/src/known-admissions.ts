/**
 * Every admission the terminal knows of, for the duplicate check (claim 11) and the counters per
 * gate: the package's (every gate's, at the last sync), the live feed's (the other gates', as
 * they happen) and this terminal's own log. One admission has the same key whatever told us of
 * it (ticket, direction, scan time, terminal), so it counts once.
 */
import type { AdmissionRecord } from '@tessera/protocol/web';
import type { PackageAdmission } from './api.ts';
import type { FeedAdmission } from './feed.ts';
import type { Credential, Direction, GateCounter, LogEntry } from './terminal-types.ts';

/** An admission as the terminal stores it (IndexedDB's `admissions`, by key). */
export interface StoredAdmission {
  key: string;
  performanceCode: string;
  ticketId: string;
  revision: number;
  direction: Direction;
  debit: string;
  scannedAtMs: number;
  presentationTimeS: number | null;
  gate: string;
  terminalId: string;
}

const ticketKey = (code: string, number: string) => `${code}\u0000${number}`;

/** Ticket, direction, scan time and terminal: the same whichever source told us of it. */
function admissionKey(
  code: string,
  number: string,
  direction: string,
  scannedAtMs: number,
  terminalId: string,
) {
  return `${code}|${number}|${direction}|${scannedAtMs}|${terminalId}`;
}

export function storedFromPackage(admission: PackageAdmission): StoredAdmission {
  const scannedAtMs = Date.parse(admission.scannedAt);
  const direction: Direction = admission.direction === 'exit' ? 'exit' : 'entry';
  return {
    key: admissionKey(
      admission.performanceCode,
      admission.ticketId,
      direction,
      scannedAtMs,
      admission.terminalId,
    ),
    performanceCode: admission.performanceCode,
    ticketId: admission.ticketId,
    revision: admission.revision,
    direction,
    debit: admission.debit,
    scannedAtMs,
    presentationTimeS: admission.presentationTimeS,
    gate: admission.gate,
    terminalId: admission.terminalId,
  };
}

export function storedFromFeed(admission: FeedAdmission): StoredAdmission {
  const scannedAtMs = Date.parse(admission.scannedAt);
  return {
    key: admissionKey(
      admission.performanceCode,
      admission.ticketId,
      admission.direction,
      scannedAtMs,
      admission.terminalId,
    ),
    performanceCode: admission.performanceCode,
    ticketId: admission.ticketId,
    revision: admission.revision,
    direction: admission.direction,
    debit: admission.debit,
    scannedAtMs,
    presentationTimeS: admission.presentationTimeS,
    gate: admission.gate,
    terminalId: admission.terminalId,
  };
}

/** This terminal's own admission from its log, or undefined for what was not admitted. */
export function storedFromLog(
  entry: LogEntry,
  credential: Credential | undefined,
): StoredAdmission | undefined {
  if (!entry.admitted || !entry.performanceCode || !entry.ticketId || !credential) {
    return undefined;
  }
  const scannedAtMs = Date.parse(entry.at);
  return {
    key: admissionKey(
      entry.performanceCode,
      entry.ticketId,
      entry.direction,
      scannedAtMs,
      credential.terminal.id,
    ),
    performanceCode: entry.performanceCode,
    ticketId: entry.ticketId,
    revision: entry.revision ?? 1,
    direction: entry.direction,
    debit: entry.debit,
    scannedAtMs,
    presentationTimeS: entry.presentationTimeS,
    gate: credential.terminal.gate,
    terminalId: credential.terminal.id,
  };
}

export class KnownAdmissions {
  /** Every known admission by ticket, then by admission key. */
  private readonly history = new Map<string, Map<string, AdmissionRecord>>();
  private readonly counts = new Map<string, GateCounter>();

  /** Adds an admission to the duplicate check and the counters, once per key. */
  remember(admission: StoredAdmission): boolean {
    const key = ticketKey(admission.performanceCode, admission.ticketId);
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
      ...(admission.presentationTimeS !== null
        ? { presentationTimeS: admission.presentationTimeS }
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

  /** The protocol's history: every known admission of one ticket. */
  admissionsFor = (eventId: string, ticketId: string): AdmissionRecord[] => [
    ...(this.history.get(ticketKey(eventId, ticketId))?.values() ?? []),
  ];

  /** Entries and exits per gate, by gate name. */
  counters(): GateCounter[] {
    return [...this.counts.values()].sort((a, b) => a.gate.localeCompare(b.gate));
  }

  clear() {
    this.history.clear();
    this.counts.clear();
  }
}
