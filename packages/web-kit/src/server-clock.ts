/**
 * The servers' clock as this device sees it. A barcode carries the time it was made, and a gate
 * refuses one more than 15 s from its own clock (docs/protocol.md section 6), so a phone whose
 * clock is off by a minute would be turned away with a genuine ticket. Every answer from a server
 * carries its `Date` header (exposed to the app by CORS); the offset from it is kept, also for
 * when the device is offline, and barcodes are made at `serverNowMs()`. The gate terminal times
 * its scans by the same clock (unit 412), so an offline check judges freshness by the server's
 * time, not the terminal's.
 *
 * `Date` has whole seconds, so the estimate is good to about a second plus half the round trip:
 * offsets under two seconds are taken as none, which keeps a device that is right from drifting.
 */
const storageKey = 'tessera.serverClockOffsetMs';
const negligibleMs = 2_000;
/** A phone more than a day off is more likely a bad header than a bad clock: ignored. */
const implausibleMs = 86_400_000;

let offsetMs = readStored();

function readStored(): number {
  try {
    const stored = Number(globalThis.localStorage?.getItem(storageKey));
    return Number.isFinite(stored) && Math.abs(stored) < implausibleMs ? stored : 0;
  } catch {
    return 0;
  }
}

/** Learns from one answer: its `Date` header, and when the request left and the answer came. */
export function noteServerDate(dateHeader: string | null, sentAtMs: number, receivedAtMs: number) {
  if (!dateHeader) return;
  const serverMs = Date.parse(dateHeader);
  if (!Number.isFinite(serverMs)) return;
  // The header was written somewhere in the round trip; its second was truncated, so add half.
  const estimate = serverMs + 500 - (sentAtMs + receivedAtMs) / 2;
  if (Math.abs(estimate) >= implausibleMs) return;
  const next = Math.abs(estimate) < negligibleMs ? 0 : Math.round(estimate);
  if (next === offsetMs) return;
  offsetMs = next;
  try {
    globalThis.localStorage?.setItem(storageKey, String(offsetMs));
  } catch {
    // Private mode or storage full: the offset still holds for this visit.
  }
}

/** Now, by the servers' clock. */
export function serverNowMs() {
  return Date.now() + offsetMs;
}

export function serverClockOffsetMs() {
  return offsetMs;
}
