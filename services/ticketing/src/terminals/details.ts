/**
 * What a terminal says of itself on every call (issue 20 item 1): the gate app sends
 * `Tessera-App-Version`, `Tessera-Device` and, once it has a GPS fix, `Tessera-Position:
 * <lat>,<lng>,<accuracy m>,<fix time ms>`. Staff see them in the terminal list, with the last fix
 * judged against the venue's geofence the way admissions are (unit 414).
 *
 * Headers are a terminal's claims, read defensively: one that is too long, has odd characters or
 * numbers out of range is ignored (the others still count) and never fails the call.
 *
 * No database write per call: a terminal calls several times a second while scanning. Each
 * instance remembers what it last wrote per terminal and writes only when the device or version
 * changed, or when a newer fix arrives and the last fix it wrote is `fixWriteEveryMs` old. The gate
 * app syncs every 15 s, so a terminal that scans nothing still reports its position within that
 * and 30 s. The first call an instance sees from a terminal writes (it does not know the row).
 */
import type { Ticketing } from '../context.ts';
import type { TerminalPrincipal } from '../identity/service.ts';
import { type GpsFix, type TerminalDetails, updateTerminalDetails } from './repository.ts';

/** The request headers a terminal describes itself with (CORS allows them). */
export const terminalDetailHeaders = [
  'tessera-app-version',
  'tessera-device',
  'tessera-position',
] as const;

/** A newer fix is stored at most this often per terminal (per instance). */
export const fixWriteEveryMs = 30_000;

/** Terminals remembered per instance; beyond this the oldest are forgotten (and written again). */
const rememberedMax = 10_000;

export const deviceMaxLength = 120;
export const appVersionMaxLength = 40;

/** A fix claimed further ahead of the server's clock than this is ignored (it would stick). */
const fixFutureSlackMs = 10 * 60_000;
/** Fixes before 2020 are a terminal with no idea of the date. */
const fixEarliestMs = Date.UTC(2020, 0, 1);

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const single = (value: string | string[] | undefined) =>
  typeof value === 'string' ? value.trim() : undefined;

/** Printable ASCII, as a User-Agent's words are. */
export function parseDevice(value: string | string[] | undefined): string | null {
  const text = single(value);
  if (!text || text.length > deviceMaxLength || !/^[\x20-\x7E]+$/.test(text)) return null;
  return text;
}

/** A version as package.json writes it: `0.1.0`, `1.2.3-rc.1+abc`. */
export function parseAppVersion(value: string | string[] | undefined): string | null {
  const text = single(value);
  if (!text || text.length > appVersionMaxLength || !/^[0-9A-Za-z][0-9A-Za-z.+_-]*$/.test(text)) {
    return null;
  }
  return text;
}

/** Degrees as JavaScript writes a number: up to 17 digits after the point. */
const decimal = /^-?\d{1,3}(\.\d{1,17})?$/;

/** `<lat>,<lng>,<accuracy m>,<fix time ms>`, each in range; null for anything else. */
export function parsePosition(value: string | string[] | undefined, now: number): GpsFix | null {
  const text = single(value);
  if (!text || text.length > 100) return null;
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length !== 4) return null;
  const [lat, lng, accuracy, at] = parts as [string, string, string, string];
  if (!decimal.test(lat) || !decimal.test(lng) || !/^\d{1,6}(\.\d{1,17})?$/.test(accuracy)) {
    return null;
  }
  if (!/^\d{13}$/.test(at)) return null;
  const fix = {
    latitude: Number(lat),
    longitude: Number(lng),
    accuracyM: Number(accuracy),
    at: Number(at),
  };
  if (Math.abs(fix.latitude) > 90 || Math.abs(fix.longitude) > 180) return null;
  if (fix.accuracyM > 100_000) return null;
  if (fix.at < fixEarliestMs || fix.at > now + fixFutureSlackMs) return null;
  return fix;
}

/** What the headers say, each part null when absent or malformed. */
export function detailsIn(headers: Headers, now: number): TerminalDetails {
  return {
    device: parseDevice(headers['tessera-device']),
    appVersion: parseAppVersion(headers['tessera-app-version']),
    fix: parsePosition(headers['tessera-position'], now),
  };
}

interface Written {
  device: string | null;
  appVersion: string | null;
  fixAt: number;
  fixWrittenAt: number;
}

const writtenByInstance = new WeakMap<Ticketing, Map<string, Written>>();

function writtenOf(ticketing: Ticketing) {
  let written = writtenByInstance.get(ticketing);
  if (!written) {
    written = new Map();
    writtenByInstance.set(ticketing, written);
  }
  return written;
}

/** The part of `details` worth writing now, or undefined when nothing is. */
function worthWriting(
  said: TerminalDetails,
  last: Written | undefined,
  now: number,
): TerminalDetails | undefined {
  const device = said.device !== null && said.device !== last?.device ? said.device : null;
  const appVersion =
    said.appVersion !== null && said.appVersion !== last?.appVersion ? said.appVersion : null;
  const fix =
    said.fix && (!last || (said.fix.at > last.fixAt && now - last.fixWrittenAt >= fixWriteEveryMs))
      ? said.fix
      : null;
  if (device === null && appVersion === null && fix === null) return undefined;
  // A first sight writes everything said: this instance does not know the row.
  return last ? { device, appVersion, fix } : said;
}

/** Stores what a terminal's call says of it, when that changed (see the file's comment). */
export async function noteTerminalCall(
  ticketing: Ticketing,
  terminal: TerminalPrincipal,
  headers: Headers,
): Promise<void> {
  const now = ticketing.clock.now();
  const said = detailsIn(headers, now);
  const written = writtenOf(ticketing);
  const last = written.get(terminal.id);
  const write = worthWriting(said, last, now);
  if (!write) return;
  // Remembered before the write, so concurrent calls of one terminal do not all write.
  written.delete(terminal.id);
  written.set(terminal.id, {
    device: said.device ?? last?.device ?? null,
    appVersion: said.appVersion ?? last?.appVersion ?? null,
    fixAt: write.fix ? write.fix.at : (last?.fixAt ?? 0),
    fixWrittenAt: write.fix ? now : (last?.fixWrittenAt ?? 0),
  });
  if (written.size > rememberedMax) {
    const oldest = written.keys().next().value;
    if (oldest !== undefined) written.delete(oldest);
  }
  try {
    await updateTerminalDetails(ticketing.database.db, terminal.id, write);
  } catch (error) {
    written.delete(terminal.id);
    throw error;
  }
}
