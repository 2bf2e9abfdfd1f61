import { ProtocolError } from './errors.ts';

/** Bounds-checked reader over one structure; every read names the field it reads. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  #structure: string;
  #offset = 0;

  constructor(bytes: Uint8Array, structure: string) {
    this.#bytes = bytes;
    this.#structure = structure;
  }

  get offset(): number {
    return this.#offset;
  }

  /** Names the structure read from here on, for a buffer that holds one structure after another. */
  set structure(name: string) {
    this.#structure = name;
  }

  #need(count: number, field: string): void {
    if (this.#offset + count > this.#bytes.length) {
      throw new ProtocolError(
        'truncated',
        `${this.#structure}.${field}`,
        `needs ${count} byte(s) at offset ${this.#offset}, only ${this.#bytes.length - this.#offset} left`,
      );
    }
  }

  u8(field: string): number {
    this.#need(1, field);
    const value = this.#bytes[this.#offset] as number;
    this.#offset += 1;
    return value;
  }

  u32(field: string): number {
    this.#need(4, field);
    const b = this.#bytes;
    const o = this.#offset;
    this.#offset += 4;
    return (
      ((b[o] as number) * 0x1000000 +
        (((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number))) >>>
      0
    );
  }

  bytes(count: number, field: string): Uint8Array {
    this.#need(count, field);
    const slice = this.#bytes.slice(this.#offset, this.#offset + count);
    this.#offset += count;
    return slice;
  }

  /** A u8 length followed by that many bytes; the length must lie in [min, max]. */
  lengthPrefixed(field: string, min: number, max: number): Uint8Array {
    const length = this.u8(`${field}.length`);
    if (length < min || length > max) {
      throw new ProtocolError(
        'out_of_range',
        `${this.#structure}.${field}`,
        `length ${length} is outside ${min}..${max}`,
      );
    }
    return this.bytes(length, field);
  }

  /**
   * Unsigned LEB128, at most 9 bytes (63 bits). Non-minimal encodings are refused so that every
   * value has exactly one encoding: otherwise two different byte strings would carry one ticket.
   */
  varint(field: string, max: bigint): bigint {
    let value = 0n;
    let shift = 0n;
    for (let index = 0; index < 9; index += 1) {
      const byte = this.u8(field);
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && index > 0) {
          throw new ProtocolError(
            'invalid_field',
            `${this.#structure}.${field}`,
            'varint is not minimally encoded',
          );
        }
        if (value > max) {
          throw new ProtocolError(
            'out_of_range',
            `${this.#structure}.${field}`,
            `value ${value} exceeds ${max}`,
          );
        }
        return value;
      }
      shift += 7n;
    }
    throw new ProtocolError(
      'out_of_range',
      `${this.#structure}.${field}`,
      'varint longer than 9 bytes',
    );
  }

  end(): void {
    if (this.#offset !== this.#bytes.length) {
      throw new ProtocolError(
        'trailing_bytes',
        this.#structure,
        `${this.#bytes.length - this.#offset} byte(s) after the end of the structure`,
      );
    }
  }
}

export class ByteWriter {
  #buffer = new Uint8Array(256);
  #length = 0;

  #reserve(count: number): void {
    if (this.#length + count <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + count));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  u8(value: number): this {
    this.#reserve(1);
    this.#buffer[this.#length] = value;
    this.#length += 1;
    return this;
  }

  u32(value: number): this {
    this.#reserve(4);
    const b = this.#buffer;
    const o = this.#length;
    b[o] = value >>> 24;
    b[o + 1] = (value >>> 16) & 0xff;
    b[o + 2] = (value >>> 8) & 0xff;
    b[o + 3] = value & 0xff;
    this.#length += 4;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.#reserve(value.length);
    this.#buffer.set(value, this.#length);
    this.#length += value.length;
    return this;
  }

  lengthPrefixed(value: Uint8Array): this {
    return this.u8(value.length).bytes(value);
  }

  varint(value: bigint): this {
    let rest = value;
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      this.u8(rest === 0n ? low : low | 0x80);
    } while (rest !== 0n);
    return this;
  }

  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index += 1) {
    difference |= (a[index] as number) ^ (b[index] as number);
  }
  return difference === 0;
}

const hexDigits = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += hexDigits[byte >> 4] + (hexDigits[byte & 15] as string);
  return out;
}

export function fromHex(hex: string, field = 'hex'): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new ProtocolError('bad_encoding', field, 'expected an even number of hex digits');
  }
  const out = new Uint8Array(hex.length / 2);
  for (let index = 0; index < out.length; index += 1) {
    out[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return out;
}

const base64urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Unpadded base64url (RFC 4648 section 5), used for keys and salts in JSON, never in barcodes. */
export function toBase64url(bytes: Uint8Array): string {
  let out = '';
  for (let index = 0; index < bytes.length; index += 3) {
    const a = bytes[index] as number;
    const b = bytes[index + 1];
    const c = bytes[index + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += base64urlAlphabet[n >> 18];
    out += base64urlAlphabet[(n >> 12) & 63];
    if (b !== undefined) out += base64urlAlphabet[(n >> 6) & 63];
    if (c !== undefined) out += base64urlAlphabet[n & 63];
  }
  return out;
}

export function fromBase64url(text: string, field = 'base64url'): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new ProtocolError('bad_encoding', field, 'not unpadded base64url');
  }
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let written = 0;
  for (const char of text) {
    buffer = (buffer << 6) | base64urlAlphabet.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[written] = (buffer >> bits) & 0xff;
      written += 1;
    }
  }
  // Leftover bits must be zero, or two texts would decode to the same bytes.
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new ProtocolError('bad_encoding', field, 'non-zero padding bits');
  }
  return out;
}

const utf8Encoder = new TextEncoder();
export function asciiBytes(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/**
 * Copy into a fresh ArrayBuffer-backed array when needed, because WebCrypto's BufferSource
 * does not accept views over SharedArrayBuffer.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? (bytes as Uint8Array<ArrayBuffer>)
    : new Uint8Array(bytes);
}
