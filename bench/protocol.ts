/**
 * Offline verification throughput on one core, against bare Ed25519 verification measured in the
 * same run. A full verification checks two signatures (organizer and device), so
 * ratio = verify_per_s x 2 / raw_ed25519_verify_per_s says how much of the time goes to the
 * signatures themselves; the target is at least 0.8.
 */
import { createPublicKey, verify } from 'node:crypto';
import QRCode from 'qrcode';
import { credentialSigningInput, protocol } from '../packages/protocol/src/node.ts';

const devices = 256;
const roundMs = 1_500;
const rounds = 5;
const nowS = 1_790_003_600;

const organizer = await protocol.signerFromSeed(new Uint8Array(32).fill(1));
const keyring = await protocol.prepareKeyring([{ publicKey: organizer.publicKey }]);

// Distinct devices with fresh presentations, as at a gate: no device key is seen twice in a row.
const texts: string[] = [];
for (let index = 0; index < devices; index += 1) {
  const device = await protocol.generateSigner();
  const { bytes } = await protocol.issueCredential(
    {
      eventId: 'EV1042',
      ticketId: `A-${String(Math.floor(index / 20) + 1).padStart(2, '0')}-${String((index % 20) + 1).padStart(2, '0')}`,
      kind: 'single',
      reentryAllowed: false,
      entriesAllowed: 1,
      validFromS: nowS - 3_600,
      validUntilS: nowS + 3_600,
      storedValue: 0n,
      revision: 0,
      devicePublicKey: device.publicKey,
      phoneTag: await protocol.phoneTag(
        new Uint8Array(32).fill(9),
        `+8210${String(10_000_000 + index)}`,
      ),
      reserved: new Uint8Array(),
    },
    organizer,
  );
  texts.push((await protocol.createPresentation(bytes, device, nowS - (index % 15))).text);
}

// The baseline: bare crypto.verify with a prepared key over a message of the same size.
const message = credentialSigningInput(new Uint8Array(110).fill(0x5a));
const signature = await organizer.sign(message);
const organizerKey = createPublicKey({
  key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(organizer.publicKey).toString('base64url') },
  format: 'jwk',
});

function rawRound(): number {
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < roundMs) {
    for (let index = 0; index < 64; index += 1) {
      if (!verify(null, message, organizerKey, signature))
        throw new Error('baseline signature failed');
    }
    count += 64;
  }
  return count / ((performance.now() - start) / 1000);
}

async function fullRound(): Promise<number> {
  let count = 0;
  const start = performance.now();
  const context = { keyring, eventIds: ['EV1042'], nowS };
  while (performance.now() - start < roundMs) {
    for (let index = 0; index < 64; index += 1) {
      const decision = await protocol.verifyPresentation(
        texts[(count + index) % devices] as string,
        context,
      );
      if (!decision.admitted)
        throw new Error(`verification refused a valid ticket: ${decision.reason}`);
    }
    count += 64;
  }
  return count / ((performance.now() - start) / 1000);
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

// Warm both paths up, then alternate rounds so drift on a shared machine hits both alike.
rawRound();
await fullRound();
const raw: number[] = [];
const full: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  raw.push(rawRound());
  full.push(await fullRound());
  console.log(
    `round ${round + 1}: raw ${raw.at(-1)?.toFixed(0)}/s, full ${full.at(-1)?.toFixed(0)}/s`,
  );
}

const typical = texts[0] as string;
const verifyPerS = median(full);
const rawPerS = median(raw);
console.log(
  JSON.stringify({
    scenario: 'protocol',
    verify_per_s: Math.round(verifyPerS),
    raw_ed25519_verify_per_s: Math.round(rawPerS),
    ratio: Number(((verifyPerS * 2) / rawPerS).toFixed(3)),
    qr_version: QRCode.create(typical, { errorCorrectionLevel: 'M' }).version,
    presentation_chars: typical.length,
  }),
);
