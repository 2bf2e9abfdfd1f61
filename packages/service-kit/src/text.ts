/**
 * Which characters text from clients may hold. Refused everywhere (names, labels, memos,
 * references, identifiers, query strings, path parameters, CSV cells):
 * - NUL and the other C0 controls, DEL and the C1 controls: PostgreSQL cannot store NUL, and
 *   controls break logs, CSV exports, terminals and the apps' layouts;
 * - the bidirectional controls (U+061C, U+200E/F, U+202A-E, U+2066-9): an organizer named
 *   "\u202Ethe reversed" shows buyers a different name than the one stored (Trojan Source);
 * - lone surrogates (not valid UTF-16, so not valid UTF-8 in the database or in JSON elsewhere);
 * - noncharacters (U+FDD0-FDEF, U+FFFE, U+FFFF), the interlinear annotation controls
 *   (U+FFF9-FFFB) and a byte order mark (U+FEFF) inside text;
 * - in single-line text, line breaks of any kind (CR, LF, U+2028, U+2029) and tabs.
 * A required field (minLength 1 or more) must also show something: only spaces and invisible
 * characters (zero-width spaces, joiners, Hangul fillers) is a blank name (`isBlank`).
 * Joiners inside text stay allowed: emoji sequences and Persian need them.
 * Multi-line text (descriptions, CSV files) may hold LF, CR LF and tabs.
 * Accepted text is stored in Unicode NFC, so that two spellings of "é" are one name.
 */

export type TextKind = 'single-line' | 'multi-line';

// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const lineBreaks = /[\t\n\r\u2028\u2029]/;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const bidiControls = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const nonCharacters = /[\ufdd0-\ufdef\ufeff\ufff9-\ufffb\ufffe\uffff]/;
const invisible = /[\s\u00ad\u115f\u1160\u180e\u200b-\u200d\u2060\u3164\uffa0]/gu;

/** Why `value` is not acceptable text of that kind, or undefined when it is. */
export function textProblem(value: string, kind: TextKind): string | undefined {
  if (loneSurrogate.test(value)) return 'a lone surrogate (invalid UTF-16)';
  if (controls.test(value)) return 'a control character';
  if (bidiControls.test(value)) return 'a bidirectional control character';
  if (nonCharacters.test(value)) return 'a noncharacter or byte order mark';
  if (kind === 'single-line' && lineBreaks.test(value)) return 'a line break or tab';
  if (kind === 'multi-line' && /\r(?!\n)/.test(value))
    return 'a carriage return without a line feed';
  return undefined;
}

/** True when the text shows nothing: only spaces and invisible characters. */
export const isBlank = (value: string) => value.replace(invisible, '') === '';

/** The text in NFC, as it is stored. */
export const normalizeText = (value: string) => value.normalize('NFC');
