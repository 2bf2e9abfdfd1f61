import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  base45Decode,
  base45Encode,
  decodeCredential,
  decodePresentation,
  encodeCredential,
  type Keyring,
  presentationFromText,
  protocol,
  toHex,
} from '../src/node.ts';
import { credentialFields, seatTicket } from './arbitraries.ts';

type Signer = Awaited<ReturnType<typeof protocol.signerFromSeed>>;
let organizer: Signer;
let device: Signer;
let keyring: Keyring;

beforeAll(async () => {
  organizer = await protocol.signerFromSeed(new Uint8Array(32).fill(7));
  device = await protocol.signerFromSeed(new Uint8Array(32).fill(8));
  keyring = await protocol.prepareKeyring([{ publicKey: organizer.publicKey }]);
});

const bitFlipped = (bytes: Uint8Array, bit: number) => {
  const copy = bytes.slice();
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
};

describe('encoding', () => {
  it('round-trips any bytes through base45', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(toHex(base45Decode(base45Encode(bytes)))).toBe(toHex(bytes));
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips any valid credential and re-encodes it to the same bytes', async () => {
    await fc.assert(
      fc.asyncProperty(credentialFields(new Uint8Array(32).fill(8)), async (fields) => {
        const { bytes, credential } = await protocol.issueCredential(fields, organizer);
        const decoded = decodeCredential(bytes);
        expect(decoded).toEqual(credential);
        expect({ ...decoded, version: undefined, keyId: undefined, signature: undefined }).toEqual({
          ...fields,
          version: undefined,
          keyId: undefined,
          signature: undefined,
        });
        expect(toHex(encodeCredential(decoded))).toBe(toHex(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips any presentation through its QR text', async () => {
    await fc.assert(
      fc.asyncProperty(
        credentialFields(new Uint8Array(32).fill(8)),
        fc.integer({ min: 0, max: 0xffffffff }),
        async (fields, timeS) => {
          const { bytes } = await protocol.issueCredential(
            { ...fields, devicePublicKey: device.publicKey },
            organizer,
          );
          const made = await protocol.createPresentation(bytes, device, timeS);
          const decoded = decodePresentation(presentationFromText(made.text));
          expect(toHex(decoded.credentialBytes)).toBe(toHex(bytes));
          expect(decoded.timeS).toBe(timeS);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('tamper evidence', () => {
  it('rejects a presentation with any single bit changed, for any ticket', async () => {
    await fc.assert(
      fc.asyncProperty(
        credentialFields(new Uint8Array(32)),
        fc.nat(),
        fc.nat(),
        async (fields, timeSeed, bitSeed) => {
          const { bytes } = await protocol.issueCredential(
            { ...fields, devicePublicKey: device.publicKey },
            organizer,
          );
          // A scan time inside the ticket's window, so the unaltered presentation is admitted.
          const timeS = fields.validFromS + (timeSeed % (fields.validUntilS - fields.validFromS));
          const made = await protocol.createPresentation(bytes, device, timeS);
          const context = { keyring, eventIds: [fields.eventId], nowS: timeS, debit: 0n };
          const original = await protocol.verifyPresentation(made.bytes, context);
          expect(original.admitted).toBe(true);
          const altered = bitFlipped(made.bytes, bitSeed % (made.bytes.length * 8));
          const decision = await protocol.verifyPresentation(altered, context);
          expect(decision.admitted).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects every one of the single-bit changes of a typical presentation', async () => {
    const { bytes } = await protocol.issueCredential(seatTicket(device.publicKey), organizer);
    const made = await protocol.createPresentation(bytes, device, 1_790_003_600);
    const context = { keyring, eventIds: ['EV1042'], nowS: 1_790_003_600 };
    expect((await protocol.verifyPresentation(made.bytes, context)).admitted).toBe(true);
    const reasons = new Map<string, number>();
    for (let bit = 0; bit < made.bytes.length * 8; bit += 1) {
      const decision = await protocol.verifyPresentation(bitFlipped(made.bytes, bit), context);
      expect(decision.admitted, `bit ${bit}`).toBe(false);
      reasons.set(decision.reason, (reasons.get(decision.reason) ?? 0) + 1);
    }
    // Every bit is accounted for, and the refusals name what was hit.
    expect([...reasons.values()].reduce((a, b) => a + b, 0)).toBe(made.bytes.length * 8);
    expect([...reasons.keys()].sort()).toEqual(['forged', 'malformed', 'tampered', 'wrong_device']);
  });
});
