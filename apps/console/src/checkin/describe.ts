/**
 * Codes in words: a refusal's reason, how long ago a terminal synced, what flagged an admission.
 * Pure (a translate function in, a sentence out), so test/checkin.test.ts checks them in both
 * languages.
 */
import type { MessageKey, Params } from '../i18n.ts';
import { knownReasons } from './words.ts';

export type Translate = (key: MessageKey, params?: Params) => string;

const known: ReadonlySet<string> = new Set(knownReasons);

/** The server's reason code as a sentence; a code this console does not know is named. */
export function reasonWords(reason: string, t: Translate): string {
  return known.has(reason)
    ? t(`checkin.reason.${reason as (typeof knownReasons)[number]}`)
    : t('checkin.reason.other', { reason });
}

/** "just now", "42 s ago", "7 min ago", "2 h 5 min ago" for a moment `elapsedMs` before now. */
export function agoWords(elapsedMs: number, t: Translate): string {
  const seconds = Math.max(0, Math.floor(elapsedMs / 1_000));
  if (seconds < 5) return t('checkin.ago.now');
  if (seconds < 60) return t('checkin.ago.seconds', { n: seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t('checkin.ago.minutes', { n: minutes });
  return t('checkin.ago.hours', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** Why an admission is in the flagged list. */
export function flagWords(admission: { duplicate: boolean; outsideVenue: boolean }, t: Translate) {
  if (admission.duplicate && admission.outsideVenue) return t('checkin.flagged.both');
  return admission.duplicate ? t('checkin.flagged.duplicate') : t('checkin.flagged.outside');
}

/** A terminal heard from within this long counts as online (the gates screen's rule). */
export const onlineWithinMs = 2 * 60_000;

export type TerminalState = 'online' | 'offline' | 'revoked';

export function terminalState(
  terminal: { revokedAt: string | null; lastSeenAt: string | null },
  nowMs: number,
): TerminalState {
  if (terminal.revokedAt) return 'revoked';
  const seen = terminal.lastSeenAt ? Date.parse(terminal.lastSeenAt) : Number.NaN;
  return nowMs - seen < onlineWithinMs ? 'online' : 'offline';
}

/** A scan's result: "Admitted (entry)", "Refused: The ticket was already used.", with its flags. */
export function scanWords(
  scan: {
    admitted: boolean | null;
    reason: string | null;
    direction: string | null;
    duplicate: boolean | null;
    outsideVenue: boolean | null;
  },
  t: Translate,
): string {
  if (!scan.admitted)
    return t('checkin.decision.refused', { reason: reasonWords(scan.reason ?? '', t) });
  const direction =
    scan.direction === 'exit' ? t('checkin.history.exit') : t('checkin.history.entry');
  const words = t('checkin.decision.admitted', { direction });
  const flagged = { duplicate: Boolean(scan.duplicate), outsideVenue: Boolean(scan.outsideVenue) };
  return flagged.duplicate || flagged.outsideVenue ? `${words}. ${flagWords(flagged, t)}` : words;
}
