import { ProtocolError } from './errors.ts';

/**
 * Base45 (RFC 9285). Chosen over base64url for the barcode because its 45 characters are exactly
 * QR's alphanumeric set, which a QR code stores at 5.5 bits per character: 2 bytes become 3
 * characters, about 3% larger than raw binary. Base64url needs QR byte mode at 8 bits per
 * character, 33% larger, which would push a typical ticket from version 10 to version 12.
 */
export const base45Alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

const decodeTable = new Int8Array(128).fill(-1);
for (let index = 0; index < base45Alphabet.length; index += 1) {
  decodeTable[base45Alphabet.charCodeAt(index)] = index;
}
// Accept lower-case letters as their upper-case form: a keyboard-wedge scanner with Caps Lock on
// types them that way, and they carry the same bytes.
for (let code = 97; code <= 122; code += 1) decodeTable[code] = decodeTable[code - 32] as number;

export function base45EncodedLength(byteLength: number): number {
  return Math.floor(byteLength / 2) * 3 + (byteLength % 2) * 2;
}

export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  let index = 0;
  for (; index + 1 < bytes.length; index += 2) {
    const n = (bytes[index] as number) * 256 + (bytes[index + 1] as number);
    const e = Math.floor(n / 2025);
    const rest = n % 2025;
    out +=
      (base45Alphabet[rest % 45] as string) +
      (base45Alphabet[Math.floor(rest / 45)] as string) +
      (base45Alphabet[e] as string);
  }
  if (index < bytes.length) {
    const n = bytes[index] as number;
    out += (base45Alphabet[n % 45] as string) + (base45Alphabet[Math.floor(n / 45)] as string);
  }
  return out;
}

export function base45Decode(text: string, field = 'text'): Uint8Array {
  if (text.length % 3 === 1) {
    throw new ProtocolError('bad_encoding', field, `base45 length ${text.length} is impossible`);
  }
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let written = 0;
  const digit = (position: number): number => {
    const code = text.charCodeAt(position);
    const value = code < 128 ? (decodeTable[code] as number) : -1;
    if (value < 0) {
      throw new ProtocolError(
        'bad_encoding',
        field,
        `character ${JSON.stringify(text[position])} at ${position} is not base45`,
      );
    }
    return value;
  };
  let position = 0;
  for (; position + 2 < text.length; position += 3) {
    const n = digit(position) + digit(position + 1) * 45 + digit(position + 2) * 2025;
    if (n > 0xffff) {
      throw new ProtocolError('bad_encoding', field, `group at ${position} exceeds 65535`);
    }
    out[written] = n >> 8;
    out[written + 1] = n & 0xff;
    written += 2;
  }
  if (position < text.length) {
    const n = digit(position) + digit(position + 1) * 45;
    if (n > 0xff) {
      throw new ProtocolError('bad_encoding', field, `final group at ${position} exceeds 255`);
    }
    out[written] = n;
  }
  return out;
}
