import { beforeAll, describe, expect, it } from 'vitest';
import {
  base45Alphabet,
  bytesEqual,
  decodePresentation,
  isProtocolError,
  type Keyring,
  parsePin,
  parseTicketNumber,
  presentationFromText,
  protocol,
  toHex,
} from '../src/node.ts';

/** A small seeded generator (xorshift32), so a failure can be replayed from the printed seed. */
function random(seed: number) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  return { next, int: (n: number) => Math.floor(next() * n) };
}

const seed = 0x7e55e2a;
const inputs = 100_000;

let keyring: Keyring;
const originals: Uint8Array[] = [];
const nowS = 1_790_003_600;

beforeAll(async () => {
  const organizer = await protocol.signerFromSeed(new Uint8Array(32).fill(1));
  keyring = await protocol.prepareKeyring([{ publicKey: organizer.publicKey }]);
  const kinds = [
    { kind: 'single', entriesAllowed: 1, storedValue: 0n, reentryAllowed: false },
    { kind: 'multi', entriesAllowed: 10, storedValue: 0n, reentryAllowed: false },
    { kind: 'timed', entriesAllowed: 0, storedValue: 0n, reentryAllowed: true },
    { kind: 'stored_value', entriesAllowed: 0, storedValue: 123_456_789n, reentryAllowed: false },
  ] as const;
  for (const [index, terms] of kinds.entries()) {
    const device = await protocol.generateSigner();
    const { bytes } = await protocol.issueCredential(
      {
        ...terms,
        eventId: 'EV1042',
        ticketId: `T-${index}`,
        validFromS: nowS - 3_600,
        validUntilS: nowS + 3_600,
        revision: index,
        devicePublicKey: device.publicKey,
        phoneTag: new Uint8Array(8).fill(index),
        reserved: new Uint8Array(index * 3).fill(0xab),
      },
      organizer,
    );
    originals.push((await protocol.createPresentation(bytes, device, nowS)).bytes);
  }
});

describe('fuzzing the decoder and the verifier', () => {
  it(`answers ${inputs.toLocaleString('en')} random and mutated inputs with only typed errors or refusals`, async () => {
    const rng = random(seed);
    const context = { keyring, eventIds: ['EV1042'], nowS };
    const outcomes = new Map<string, number>();
    const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

    const mutate = (source: Uint8Array): Uint8Array => {
      const bytes = Array.from(source);
      const edits = 1 + rng.int(4);
      for (let edit = 0; edit < edits; edit += 1) {
        const at = rng.int(bytes.length + 1);
        switch (rng.int(6)) {
          case 0:
            if (at < bytes.length) bytes[at] = (bytes[at] as number) ^ (1 << rng.int(8));
            break;
          case 1:
            if (at < bytes.length) bytes[at] = rng.int(256);
            break;
          case 2:
            bytes.splice(at, 0, rng.int(256));
            break;
          case 3:
            bytes.splice(at, 1 + rng.int(8));
            break;
          case 4:
            bytes.length = Math.min(bytes.length, at);
            break;
          default: {
            // Splice in a run of another presentation: well-formed pieces in the wrong place.
            const other = originals[rng.int(originals.length)] as Uint8Array;
            const from = rng.int(other.length);
            bytes.splice(at, rng.int(16), ...other.slice(from, from + 1 + rng.int(64)));
          }
        }
      }
      return Uint8Array.from(bytes);
    };

    for (let index = 0; index < inputs; index += 1) {
      let input: string | Uint8Array;
      const mode = rng.int(10);
      if (mode < 6) {
        input = mutate(originals[rng.int(originals.length)] as Uint8Array);
      } else if (mode < 8) {
        input = Uint8Array.from({ length: rng.int(400) }, () => rng.int(256));
      } else if (mode < 9) {
        input = Array.from({ length: rng.int(520) }, () => base45Alphabet[rng.int(45)]).join('');
      } else {
        input = Array.from({ length: rng.int(300) }, () =>
          String.fromCharCode(rng.int(0x3000)),
        ).join('');
      }

      // The decoder: a structure or a ProtocolError, nothing else.
      try {
        decodePresentation(typeof input === 'string' ? presentationFromText(input) : input);
        count('decoded');
      } catch (error) {
        if (!isProtocolError(error))
          throw new Error(`seed ${seed}, input ${index}: ${String(error)}`);
        count(`error:${error.code}`);
      }

      // The verifier: always a decision. Only an unaltered original may be admitted.
      const decision = await protocol.verifyPresentation(input, context);
      count(`decision:${decision.reason}`);
      if (decision.admitted) {
        const bytes = typeof input === 'string' ? presentationFromText(input) : input;
        expect(
          originals.some((original) => bytesEqual(original, bytes)),
          `seed ${seed}, input ${index} admitted: ${toHex(bytes)}`,
        ).toBe(true);
      }
    }
    const total = [...outcomes]
      .filter(([key]) => key.startsWith('decision:'))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(total).toBe(inputs);
    // The mix really exercised both the parser's refusals and the signature checks.
    expect(outcomes.get('decision:malformed')).toBeGreaterThan(inputs / 4);
    expect(outcomes.get('decision:tampered')).toBeGreaterThan(1_000);
    expect(outcomes.get('decision:wrong_device')).toBeGreaterThan(1_000);
  }, 120_000);

  it('parses or refuses random manual-code input with only typed errors', () => {
    const rng = random(seed + 1);
    const alphabet = '0123456789 -.ab#\u0000\uffff';
    for (let index = 0; index < 20_000; index += 1) {
      const text = Array.from(
        { length: rng.int(40) },
        () => alphabet[rng.int(alphabet.length)],
      ).join('');
      for (const parse of [parseTicketNumber, parsePin]) {
        try {
          const parsed = parse(text);
          expect(parsed).toMatch(/^[0-9]+$/);
        } catch (error) {
          expect(isProtocolError(error), String(error)).toBe(true);
        }
      }
    }
  });
});
