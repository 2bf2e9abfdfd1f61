/**
 * A terminal as staff see it (units 112 and 416, issue 20 item 1): its register entry, what it
 * says it is, its last GPS fix judged against the venue's geofence, and whether it is online.
 */
import { distanceM } from '../admission/geometry.ts';
import type { TerminalRecord } from './repository.ts';

/**
 * A terminal is online when it was last seen this recently. The gate app syncs (an event package
 * call, which records the contact) every 15 s while online and probes every 2 s while offline, so
 * 90 s is six missed syncs: a terminal past it has lost the network or been closed, and whatever
 * it admits now stays on it until it is back (the window in which an offline gate could admit a
 * copy). The live dashboard and the gate report's offline terminals use this same constant.
 */
export const onlineWindowMs = 90_000;

export interface Geofence {
  latitude: number;
  longitude: number;
  radiusM: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function isOnline(terminal: Pick<TerminalRecord, 'lastSeenAt' | 'revokedAt'>, now: number) {
  return (
    terminal.revokedAt === null &&
    terminal.lastSeenAt !== null &&
    now - terminal.lastSeenAt <= onlineWindowMs
  );
}

/**
 * Unit 414, as admissions are judged (admission/record.ts): outside when even the fix's accuracy
 * cannot put it within the radius. Null with no fix (or no venue to judge against).
 */
export function fixOutsideVenue(
  fix: TerminalRecord['lastFix'],
  venue: Geofence | undefined,
): boolean | null {
  if (!fix || !venue) return null;
  return distanceM(venue, fix) - (fix.accuracyM ?? 0) > venue.radiusM;
}

export function terminalView(terminal: TerminalRecord, venue: Geofence | undefined, now: number) {
  const fix = terminal.lastFix;
  return {
    id: terminal.id,
    organizerId: terminal.organizerId,
    venueId: terminal.venueId,
    gate: terminal.gate,
    name: terminal.name,
    performanceIds: [...terminal.performanceIds],
    enrolledAt: iso(terminal.enrolledAt) as string,
    revokedAt: iso(terminal.revokedAt),
    lastSeenAt: iso(terminal.lastSeenAt),
    pendingUploads: terminal.pendingUploads,
    device: terminal.device,
    appVersion: terminal.appVersion,
    lastFix: fix
      ? {
          latitude: fix.latitude,
          longitude: fix.longitude,
          accuracyM: fix.accuracyM,
          at: iso(fix.at) as string,
        }
      : null,
    online: isOnline(terminal, now),
    outsideVenue: fixOutsideVenue(fix, venue),
  };
}
