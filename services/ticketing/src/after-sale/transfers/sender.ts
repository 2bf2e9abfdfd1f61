/**
 * Who a transfer is from, as its recipient is told: the sender's first name if they gave one,
 * else their phone number masked. The recipient never gets the sender's whole number (they did
 * not choose to share it), only enough to recognise a friend's: `010-****-5678`.
 */

/**
 * A phone number (E.164) with its middle hidden: a Korean number in the national form people
 * know (`+821012345678` -> `010-****-5678`), any other as `+4479****5678`. Short or odd input
 * keeps only its last two digits.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^0-9]/g, '');
  if (phone.startsWith('+82') && (digits.length === 11 || digits.length === 12)) {
    const national = `0${digits.slice(2)}`;
    const middle = national.length - 7;
    return `${national.slice(0, 3)}-${'*'.repeat(middle)}-${national.slice(-4)}`;
  }
  if (digits.length >= 9) return `+${digits.slice(0, 4)}****${digits.slice(-4)}`;
  return `****${digits.slice(-2)}`;
}

/** The words for the sender in a message to the recipient: name, else the masked number. */
export function senderLabel(sender: { fromName: string | null; fromPhone: string }): string {
  return sender.fromName ?? sender.fromPhone;
}
