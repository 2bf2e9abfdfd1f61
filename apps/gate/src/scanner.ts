/**
 * A hardware barcode scanner that types like a keyboard (unit 410): it sends the code as fast
 * keystrokes and ends with Enter. People do not type that fast for long, so a burst is told apart
 * from typing by its average pace, and it is taken wherever the focus is, even in a text field
 * (the field gets back what it held before the burst).
 *
 * The pace is averaged over the burst rather than checked key by key because a busy device
 * delivers keys unevenly: one late key must not split a scan in two.
 */

/** A scanner sends a key every few milliseconds; nobody types 16 keys at this average pace. */
export const scannerKeyMsAverageMax = 30;
/**
 * A pause this long ends a burst: what follows is a new one (or someone typing). Generous, since
 * a busy device can hold a key back a few hundred milliseconds; typing is told apart by the pace.
 */
export const scannerPauseMs = 500;
/** A ticket barcode is hundreds of characters; a burst shorter than this is someone typing. */
export const scannerCodeCharsMin = 16;
const burstKeysBeforeTaken = 4;
/** More than any barcode the protocol allows, so a stuck key cannot grow the buffer forever. */
const scannerCodeCharsMax = 4_096;

export class ScannerBurst {
  private chars: string[] = [];
  private startedAt = 0;
  private lastAt = Number.NEGATIVE_INFINITY;
  /** The field the burst is typing into, and what it held before. */
  private field: { element: HTMLInputElement | HTMLTextAreaElement; before: string } | undefined;

  private fast(at: number): boolean {
    return (at - this.startedAt) / this.chars.length <= scannerKeyMsAverageMax;
  }

  /**
   * True inside a burst: the keys are the scanner's and should do nothing else (not type into a
   * field, not press a button). Four keys at a scanner's pace before that, which nobody types,
   * so a person's fast pair of keys is never swallowed; the first keys of a burst that reached a
   * field are taken back out of it when the Enter comes.
   */
  get active(): boolean {
    return this.chars.length >= burstKeysBeforeTaken && this.fast(this.lastAt);
  }

  /**
   * Feeds one key. Returns the code when the key is the Enter that ends a burst, else undefined.
   * `at` is the event's time in ms.
   */
  key(key: string, at: number, target?: EventTarget | null): string | undefined {
    const paused = at - this.lastAt > scannerPauseMs;
    this.lastAt = at;
    if (key === 'Enter') {
      const code = this.chars.join('');
      const scanned = !paused && code.length >= scannerCodeCharsMin && this.fast(at);
      const field = this.field;
      this.chars = [];
      this.field = undefined;
      // Whatever comes next is a new burst, however soon.
      this.lastAt = Number.NEGATIVE_INFINITY;
      if (!scanned) return undefined;
      if (field) restore(field.element, field.before);
      return code;
    }
    if (key.length !== 1) return undefined;
    if (paused || this.chars.length >= scannerCodeCharsMax) {
      this.chars = [];
      this.startedAt = at;
      this.field = isTextField(target) ? { element: target, before: target.value } : undefined;
    }
    this.chars.push(key);
    return undefined;
  }
}

/** Input types that take typed text (a radio or a checkbox does not). */
const textInputTypes = new Set(['text', 'search', 'number', 'tel', 'email', 'url', 'password']);

/** A field that keystrokes type into; the rest (buttons, radios) act on keys instead. */
function isTextField(
  target: EventTarget | null | undefined,
): target is HTMLInputElement | HTMLTextAreaElement {
  return (
    (typeof HTMLInputElement !== 'undefined' &&
      target instanceof HTMLInputElement &&
      textInputTypes.has(target.type)) ||
    (typeof HTMLTextAreaElement !== 'undefined' && target instanceof HTMLTextAreaElement)
  );
}

/**
 * Puts a field back as it was, through the native setter and an input event, so that React's
 * controlled fields see the change too.
 */
function restore(element: HTMLInputElement | HTMLTextAreaElement, value: string) {
  const prototype = Object.getPrototypeOf(element) as object;
  Object.getOwnPropertyDescriptor(prototype, 'value')?.set?.call(element, value);
  element.dispatchEvent(new Event('input', { bubbles: true }));
}
