/**
 * How a seat reads, in one place for every screen (issue 21, item 9): "Orchestra · Row A · Seat 11"
 * on screen, "Orchestra, row A, seat 11" spoken, and in Korean "Orchestra A열 11번". A section
 * named only by a letter or a number ("A", "101", "B2") gets its word ("Section 101 · Row A ·
 * Seat 3", "101구역 A열 3번"), so the three parts cannot be mistaken for one another.
 */
import type { MessageKey, Params } from './i18n.ts';

type Translate = (key: MessageKey, params?: Params) => string;

export interface SeatPlace {
  section: string;
  row: string;
  number: string;
}

/** The seat's state on the map, as the legend names it. */
export type SeatState = 'available' | 'selected' | 'unavailable';

/** A section called only by a code (a letter, digits, or both) reads better with its word. */
const codeLikeSection = /^(\p{L}|\p{L}?\p{N}+\p{L}?)$/u;

function isCodeLike(section: string): boolean {
  return codeLikeSection.test(section.trim());
}

const placeParams = (seat: SeatPlace) => ({
  section: seat.section,
  row: seat.row,
  number: seat.number,
});

/** The seat as text on screen: "Orchestra · Row A · Seat 11" (en), "Orchestra A열 11번" (ko). */
export function seatWords(seat: SeatPlace, t: Translate): string {
  return t(isCodeLike(seat.section) ? 'seat.wordsSection' : 'seat.words', placeParams(seat));
}

/** The seat as a screen reader says it: "Orchestra, row A, seat 11". */
export function seatSpoken(seat: SeatPlace, t: Translate): string {
  return t(isCodeLike(seat.section) ? 'seat.spokenSection' : 'seat.spoken', placeParams(seat));
}

/** A row as a screen reader says it, for the group of its seats: "Orchestra, row A". */
export function rowSpoken(place: { section: string; row: string }, t: Translate): string {
  const params = { section: place.section, row: place.row };
  return t(isCodeLike(place.section) ? 'seat.rowSpokenSection' : 'seat.rowSpoken', params);
}

/**
 * The accessible name of a seat on the map: where it is, whether it is an accessible seat, its
 * price and whether it can be had: "Orchestra, row A, seat 11, 45,000 KRW, available".
 */
export function seatAccessibleName(
  seat: SeatPlace,
  details: { price: string; accessible: boolean; state: SeatState },
  t: Translate,
): string {
  const parts = [seatSpoken(seat, t)];
  if (details.accessible) parts.push(t('seat.accessible'));
  parts.push(details.price, t(`seat.${details.state}`));
  return parts.join(t('seat.separator'));
}

/**
 * A seat reference as the server writes it in labels ("Orchestra/A/11"; seat maps refuse "/"
 * inside a section, row or seat), or undefined for anything else (say, a bare seat id).
 */
export function seatFromReference(reference: string): SeatPlace | undefined {
  const parts = reference.split('/');
  if (parts.length !== 3 || parts.some((part) => part.trim() === '')) return undefined;
  const [section, row, number] = parts as [string, string, string];
  return { section, row, number };
}

/** A server's seat reference in words, or the reference itself when it is not one. */
export function referenceWords(reference: string, t: Translate): string {
  const seat = seatFromReference(reference);
  return seat ? seatWords(seat, t) : reference;
}
