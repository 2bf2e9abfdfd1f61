/**
 * Writes test/vectors/*.json. Everything is deterministic (Ed25519 signatures are, and salts are
 * fixed here), so running it again must give identical files; the golden test checks that the
 * implementation still produces every byte. Run: npm run vectors -w @tessera/protocol
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';
import { ByteWriter, concatBytes } from '../src/bytes.ts';
import {
  credentialSigningInput,
  decodeCredential,
  decodePresentation,
  encodeCredentialBody,
  presentationFromText,
} from '../src/index.ts';
import {
  base45Encode,
  type CredentialFields,
  encodePresentation,
  fromHex,
  hashManualCodePin,
  isProtocolError,
  type ManualCodeRecord,
  protocol as p,
  presentationSigningInput,
  toHex,
} from '../src/node.ts';
import { fieldsToJson } from './vector-runner.ts';
import type { Vectors } from './vector-types.ts';

const seedOf = (name: string) =>
  new Uint8Array(createHash('sha256').update(`tessera test vector seed: ${name}`).digest());

const organizerNames = ['organizer-a', 'organizer-a-next', 'organizer-other'];
const deviceNames = ['device-1', 'device-2'];
const signers = new Map<string, Awaited<ReturnType<typeof p.signerFromSeed>>>();
const keys: Vectors['keys'] = { organizers: [], devices: [], phoneTag: [] };
for (const name of [...organizerNames, ...deviceNames]) {
  const signer = await p.signerFromSeed(seedOf(name));
  signers.set(name, signer);
  const json = {
    name,
    seed: toHex(seedOf(name)),
    publicKey: toHex(signer.publicKey),
    keyId: toHex(await p.keyIdFor(signer.publicKey)),
  };
  (organizerNames.includes(name) ? keys.organizers : keys.devices).push(json);
}
const signer = (name: string) => {
  const found = signers.get(name);
  if (found === undefined) throw new Error(name);
  return found;
};
const issuerSecret = seedOf('issuer phone secret');
for (const phone of ['+821012345678', '+14155550100']) {
  keys.phoneTag.push({
    secret: toHex(issuerSecret),
    phone,
    tag: toHex(await p.phoneTag(issuerSecret, phone)),
  });
}
const phone1 = await p.phoneTag(issuerSecret, '+821012345678');

// 2026-09-21T14:13:20Z: doors open; the ticket is valid for one day.
const t0 = 1_790_000_000;
const day = 86_400;
const scanAt = t0 + 3_600;

const base = (overrides: Partial<CredentialFields>): CredentialFields => ({
  eventId: 'EV1042',
  ticketId: 'A-12-07',
  kind: 'single',
  reentryAllowed: false,
  entriesAllowed: 1,
  validFromS: t0,
  validUntilS: t0 + day,
  storedValue: 0n,
  revision: 0,
  devicePublicKey: signer('device-1').publicKey,
  phoneTag: phone1,
  reserved: new Uint8Array(),
  ...overrides,
});

const credentialCases: { name: string; organizer: string; fields: CredentialFields }[] = [
  { name: 'single-seat', organizer: 'organizer-a', fields: base({}) },
  {
    name: 'multi-10-rides',
    organizer: 'organizer-a',
    fields: base({
      eventId: 'BUS-77',
      ticketId: 'PASS-000123',
      kind: 'multi',
      entriesAllowed: 10,
      validUntilS: t0 + 30 * day,
      revision: 2,
      reserved: new TextEncoder().encode('route 77'),
    }),
  },
  {
    name: 'timed-day-pass-reentry',
    organizer: 'organizer-a',
    fields: base({
      eventId: 'FEST26',
      ticketId: 'DAY2-0042',
      kind: 'timed',
      reentryAllowed: true,
      entriesAllowed: 0,
    }),
  },
  {
    name: 'stored-value',
    organizer: 'organizer-a',
    fields: base({
      eventId: 'FEST26',
      ticketId: 'SV-9001',
      kind: 'stored_value',
      entriesAllowed: 0,
      storedValue: 50_000n,
    }),
  },
  { name: 'rotated-key', organizer: 'organizer-a-next', fields: base({ ticketId: 'A-12-08' }) },
  {
    name: 'other-organizer',
    organizer: 'organizer-other',
    fields: base({ eventId: 'OTHER1', ticketId: 'X-1' }),
  },
  {
    name: 'other-organizer-same-event',
    organizer: 'organizer-other',
    fields: base({ ticketId: 'A-12-09' }),
  },
  {
    name: 'largest-fields',
    organizer: 'organizer-a',
    fields: base({
      eventId: 'E'.repeat(32),
      ticketId: 'T'.repeat(32),
      kind: 'stored_value',
      entriesAllowed: 65_535,
      revision: 65_535,
      storedValue: (1n << 63n) - 1n,
      validFromS: 0,
      validUntilS: 0xffffffff,
      reserved: new Uint8Array(64).fill(0xff),
    }),
  },
];

const credentials: Vectors['credentials'] = { valid: [], invalid: [] };
const issued = new Map<string, Uint8Array>();
for (const c of credentialCases) {
  const keyId = await p.keyIdFor(signer(c.organizer).publicKey);
  const { bytes } = await p.issueCredential(c.fields, signer(c.organizer));
  issued.set(c.name, bytes);
  credentials.valid.push({
    name: c.name,
    organizer: c.organizer,
    fields: fieldsToJson(c.fields),
    signingInput: toHex(credentialSigningInput(encodeCredentialBody(c.fields, keyId))),
    bytes: toHex(bytes),
  });
}

// Hand-built bytes for the decoder's refusals; the encoder would refuse to make them.
const keyIdA = fromHex(keys.organizers[0]?.keyId ?? '');
function rawCredential(edit: {
  version?: number;
  kind?: number;
  revision?: Uint8Array;
  entries?: Uint8Array;
  from?: number;
  until?: number;
  eventId?: Uint8Array;
  tail?: Uint8Array;
  cut?: number;
  storedValue?: Uint8Array;
}): Uint8Array {
  const w = new ByteWriter()
    .u8(edit.version ?? 1)
    .bytes(keyIdA)
    .u8(edit.kind ?? 1)
    .bytes(edit.revision ?? Uint8Array.of(0))
    .bytes(edit.entries ?? Uint8Array.of(1))
    .u32(edit.from ?? t0)
    .u32(edit.until ?? t0 + day)
    .bytes(edit.storedValue ?? new Uint8Array())
    .lengthPrefixed(edit.eventId ?? new TextEncoder().encode('EV1042'))
    .lengthPrefixed(new TextEncoder().encode('A-12-07'))
    .bytes(signer('device-1').publicKey)
    .bytes(phone1)
    .u8(0)
    .bytes(new Uint8Array(64))
    .bytes(edit.tail ?? new Uint8Array());
  const bytes = w.finish();
  return bytes.slice(0, bytes.length - (edit.cut ?? 0));
}
const invalidCredentials: [string, Uint8Array][] = [
  ['empty', new Uint8Array()],
  ['unknown-version', rawCredential({ version: 2 })],
  ['unknown-kind', rawCredential({ kind: 5 })],
  ['reserved-kind-bit', rawCredential({ kind: 0x21 })],
  ['reentry-on-multi', rawCredential({ kind: 0x12, entries: Uint8Array.of(5) })],
  ['non-minimal-varint', rawCredential({ revision: Uint8Array.of(0x80, 0x00) })],
  ['revision-too-large', rawCredential({ revision: Uint8Array.of(0x80, 0x80, 0x04) })],
  ['empty-event-id', rawCredential({ eventId: new Uint8Array() })],
  ['space-in-event-id', rawCredential({ eventId: new TextEncoder().encode('EV 1042') })],
  ['window-reversed', rawCredential({ from: t0 + day, until: t0 })],
  ['single-with-two-entries', rawCredential({ entries: Uint8Array.of(2) })],
  ['reentry-with-two-entries', rawCredential({ kind: 0x13, entries: Uint8Array.of(2) })],
  [
    'stored-value-of-zero',
    rawCredential({ kind: 0x04, entries: Uint8Array.of(0), storedValue: Uint8Array.of(0) }),
  ],
  ['trailing-byte', rawCredential({ tail: Uint8Array.of(0) })],
  ['truncated-signature', rawCredential({ cut: 1 })],
];
for (const [name, bytes] of invalidCredentials) {
  try {
    decodeCredential(bytes);
    throw new Error(`invalid credential ${name} was accepted`);
  } catch (error) {
    if (!isProtocolError(error)) throw error;
    credentials.invalid.push({ name, bytes: toHex(bytes), error: error.code, field: error.field });
  }
}

const presentations: Vectors['presentations'] = { valid: [], invalid: [] };
const presentationText = new Map<string, string>();
async function present(name: string, credentialName: string, device: string, timeS: number) {
  const credential = issued.get(credentialName);
  if (credential === undefined) throw new Error(credentialName);
  const made = await p.createPresentation(credential, signer(device), timeS);
  presentations.valid.push({
    name,
    credential: toHex(credential),
    device,
    timeS,
    signingInput: toHex(presentationSigningInput(await p.backend.sha256(credential), timeS)),
    bytes: toHex(made.bytes),
    text: made.text,
    qrVersionM: QRCode.create(made.text, { errorCorrectionLevel: 'M' }).version,
  });
  presentationText.set(name, made.text);
  return made;
}
for (const c of credentialCases) await present(c.name, c.name, 'device-1', scanAt);
await present('single-seat-early', 'single-seat', 'device-1', t0 - 100);
await present('single-seat-late', 'single-seat', 'device-1', t0 + day + 10);

const text = (name: string) => {
  const found = presentationText.get(name);
  if (found === undefined) throw new Error(name);
  return found;
};
const single = presentationFromText(text('single-seat'));
const invalidPresentations: [string, string][] = [
  ['empty', ''],
  ['impossible-length', 'ABCD'],
  ['not-base45', `${text('single-seat').slice(0, 3)}é${text('single-seat').slice(4)}`],
  ['group-over-65535', `:::${text('single-seat').slice(3)}`],
  ['too-long', '0'.repeat(600)],
  ['trailing-byte', base45Encode(concatBytes(single, Uint8Array.of(0)))],
  ['truncated-device-signature', base45Encode(single.slice(0, single.length - 1))],
];
for (const [name, value] of invalidPresentations) {
  try {
    decodePresentation(presentationFromText(value));
    throw new Error(`invalid presentation ${name} was accepted`);
  } catch (error) {
    if (!isProtocolError(error)) throw error;
    presentations.invalid.push({ name, text: value, error: error.code, field: error.field });
  }
}

// Alterations for the refusals.
const decoded = decodePresentation(single);
const flip = (bytes: Uint8Array, index: number) => {
  const copy = bytes.slice();
  copy[index] = (copy[index] as number) ^ 0x01;
  return copy;
};
const ticketIdOffset = decoded.credentialBodyLength - 32 - 8 - 1 - 7; // 'A-12-07' sits before key, tag, reserved length
const tamperedSeat = base45Encode(flip(single, ticketIdOffset));
const tamperedSignature = base45Encode(flip(single, decoded.credentialBytes.length - 1));
const otherDeviceSignature = await signer('device-2').sign(
  presentationSigningInput(await p.backend.sha256(decoded.credentialBytes), scanAt),
);
const copiedToOtherDevice = base45Encode(
  encodePresentation(decoded.credentialBytes, scanAt, otherDeviceSignature),
);
const timeMoved = base45Encode(
  encodePresentation(decoded.credentialBytes, scanAt + 60, decoded.deviceSignature),
);

const pubA = { publicKey: keys.organizers[0]?.publicKey ?? '' };
const pubNext = { publicKey: keys.organizers[1]?.publicKey ?? '' };
const pubOther = keys.organizers[2]?.publicKey ?? '';
const ctx = (overrides: Partial<Vectors['decisions'][number]['context']> = {}) => ({
  keyring: [pubA],
  eventIds: ['EV1042'],
  nowS: scanAt + 5,
  ...overrides,
});
const decisions: Vectors['decisions'] = [
  {
    name: 'valid single entry',
    text: text('single-seat'),
    context: ctx(),
    expected: { admitted: true, reason: 'valid', usesRemaining: 0, valueRemaining: null },
  },
  {
    name: 'valid when typed in lower case',
    text: text('single-seat').toLowerCase(),
    context: ctx(),
    expected: { admitted: true, reason: 'valid' },
  },
  {
    name: 'valid with the scanner newline',
    text: `${text('single-seat')}\r\n`,
    context: ctx(),
    expected: { admitted: true, reason: 'valid' },
  },
  {
    name: 'valid under the next key during rotation',
    text: text('rotated-key'),
    context: ctx({ keyring: [pubA, pubNext] }),
    expected: { admitted: true, reason: 'valid' },
  },
  {
    name: 'forged: key not in keyring',
    text: text('rotated-key'),
    context: ctx(),
    expected: { admitted: false, reason: 'forged' },
  },
  {
    name: 'forged: another organizer signs for this event',
    text: text('other-organizer-same-event'),
    context: ctx({
      keyring: [
        { ...pubA, eventIds: ['EV1042'] },
        { publicKey: pubOther, eventIds: ['OTHER1'] },
      ],
      eventIds: ['EV1042', 'OTHER1'],
    }),
    expected: { admitted: false, reason: 'forged' },
  },
  {
    name: 'valid: key scoped to its own event',
    text: text('other-organizer'),
    context: ctx({
      keyring: [
        { ...pubA, eventIds: ['EV1042'] },
        { publicKey: pubOther, eventIds: ['OTHER1'] },
      ],
      eventIds: ['EV1042', 'OTHER1'],
    }),
    expected: { admitted: true, reason: 'valid' },
  },
  {
    name: 'forged: another organizer',
    text: text('other-organizer'),
    context: ctx({ eventIds: ['EV1042', 'OTHER1'] }),
    expected: { admitted: false, reason: 'forged' },
  },
  {
    name: 'tampered: seat changed',
    text: tamperedSeat,
    context: ctx(),
    expected: { admitted: false, reason: 'tampered' },
  },
  {
    name: 'tampered: organizer signature bit',
    text: tamperedSignature,
    context: ctx(),
    expected: { admitted: false, reason: 'tampered' },
  },
  {
    name: 'wrong device: copied to another phone',
    text: copiedToOtherDevice,
    context: ctx(),
    expected: { admitted: false, reason: 'wrong_device' },
  },
  {
    name: 'wrong device: time edited',
    text: timeMoved,
    context: ctx({ nowS: scanAt + 60 }),
    expected: { admitted: false, reason: 'wrong_device' },
  },
  {
    name: 'valid at the oldest allowed age',
    text: text('single-seat'),
    context: ctx({ nowS: scanAt + 30 }),
    expected: { admitted: true, reason: 'valid' },
  },
  {
    name: 'stale: screenshot 31 s old',
    text: text('single-seat'),
    context: ctx({ nowS: scanAt + 31 }),
    expected: { admitted: false, reason: 'stale' },
  },
  {
    name: 'stale: screenshot 60 s old',
    text: text('single-seat'),
    context: ctx({ nowS: scanAt + 60 }),
    expected: { admitted: false, reason: 'stale' },
  },
  {
    name: 'valid with phone clock 15 s ahead',
    text: text('single-seat'),
    context: ctx({ nowS: scanAt - 15 }),
    expected: { admitted: true, reason: 'valid' },
  },
  {
    name: 'stale: phone clock 16 s ahead',
    text: text('single-seat'),
    context: ctx({ nowS: scanAt - 16 }),
    expected: { admitted: false, reason: 'stale' },
  },
  {
    name: 'wrong event',
    text: text('single-seat'),
    context: ctx({ eventIds: ['EV9999'] }),
    expected: { admitted: false, reason: 'wrong_event' },
  },
  {
    name: 'revoked: refunded',
    text: text('single-seat'),
    context: ctx({ revocations: [{ eventId: 'EV1042', ticketId: 'A-12-07', throughRevision: 0 }] }),
    expected: { admitted: false, reason: 'revoked' },
  },
  {
    name: 'valid: only older revisions revoked',
    text: text('multi-10-rides'),
    context: ctx({
      eventIds: ['BUS-77'],
      revocations: [{ eventId: 'BUS-77', ticketId: 'PASS-000123', throughRevision: 1 }],
    }),
    expected: { admitted: true, reason: 'valid', usesRemaining: 9 },
  },
  {
    name: 'revoked: old revision after transfer',
    text: text('multi-10-rides'),
    context: ctx({
      eventIds: ['BUS-77'],
      revocations: [{ eventId: 'BUS-77', ticketId: 'PASS-000123', throughRevision: 2 }],
    }),
    expected: { admitted: false, reason: 'revoked' },
  },
  {
    name: 'not yet valid',
    text: text('single-seat-early'),
    context: ctx({ nowS: t0 - 95 }),
    expected: { admitted: false, reason: 'not_yet_valid' },
  },
  {
    name: 'expired',
    text: text('single-seat-late'),
    context: ctx({ nowS: t0 + day + 15 }),
    expected: { admitted: false, reason: 'expired' },
  },
  {
    name: 'already used at another gate',
    text: text('single-seat'),
    context: ctx({
      history: [{ direction: 'entry', atS: scanAt - 600, revision: 0, gate: 'North-3' }],
    }),
    expected: { admitted: false, reason: 'already_used', firstAdmissionAtS: scanAt - 600 },
  },
  {
    name: 'multi: fourth ride of ten',
    text: text('multi-10-rides'),
    context: ctx({
      eventIds: ['BUS-77'],
      history: [1, 2, 3].map((i) => ({
        direction: 'entry' as const,
        atS: t0 + i * 60,
        revision: 2,
      })),
    }),
    expected: { admitted: true, reason: 'valid', usesRemaining: 6 },
  },
  {
    name: 'multi: all ten rides spent',
    text: text('multi-10-rides'),
    context: ctx({
      eventIds: ['BUS-77'],
      history: Array.from({ length: 10 }, (_, i) => ({
        direction: 'entry' as const,
        atS: t0 + i * 60,
        revision: 2,
      })),
    }),
    expected: { admitted: false, reason: 'entitlement_exhausted' },
  },
  {
    name: 'multi: the same barcode shown twice',
    text: text('multi-10-rides'),
    context: ctx({
      eventIds: ['BUS-77'],
      history: [{ direction: 'entry', atS: scanAt + 2, revision: 2, presentationTimeS: scanAt }],
    }),
    expected: { admitted: false, reason: 'already_used' },
  },
  {
    name: 'timed: re-entry after exit',
    text: text('timed-day-pass-reentry'),
    context: ctx({
      eventIds: ['FEST26'],
      history: [
        { direction: 'entry', atS: t0 + 100, revision: 0 },
        { direction: 'exit', atS: t0 + 200, revision: 0 },
      ],
    }),
    expected: { admitted: true, reason: 'valid', usesRemaining: null },
  },
  {
    name: 'timed: second entry while inside',
    text: text('timed-day-pass-reentry'),
    context: ctx({
      eventIds: ['FEST26'],
      history: [{ direction: 'entry', atS: t0 + 100, revision: 0 }],
    }),
    expected: { admitted: false, reason: 'already_used', firstAdmissionAtS: t0 + 100 },
  },
  {
    name: 'stored value: debit within balance',
    text: text('stored-value'),
    context: ctx({
      eventIds: ['FEST26'],
      debit: '12000',
      history: [{ direction: 'entry', atS: t0 + 100, revision: 0, debit: '30000' }],
    }),
    expected: { admitted: true, reason: 'valid', valueRemaining: '8000' },
  },
  {
    name: 'stored value: debit over balance',
    text: text('stored-value'),
    context: ctx({
      eventIds: ['FEST26'],
      debit: '25000',
      history: [{ direction: 'entry', atS: t0 + 100, revision: 0, debit: '30000' }],
    }),
    expected: { admitted: false, reason: 'entitlement_exhausted' },
  },
  {
    name: 'malformed: not a ticket',
    text: 'HELLO WORLD',
    context: ctx(),
    expected: { admitted: false, reason: 'malformed' },
  },
  {
    name: 'malformed: truncated',
    text: text('single-seat').slice(0, 150),
    context: ctx(),
    expected: { admitted: false, reason: 'malformed' },
  },
];

// Manual codes.
const dammDigits = ['572', '000000000', '123456789', '987654321', '314159265'];
const salt = (name: string) => seedOf(name).slice(0, 16);
const ticketNumberBody = '314159265';
const { dammCheckDigit } = await import('../src/manual-code.ts');
const ticketNumber = ticketNumberBody + String(dammCheckDigit(ticketNumberBody));
const iterations = 1_000;
const record: ManualCodeRecord = {
  ...base({}),
  ticketNumber,
  salt: salt('manual salt 1'),
  iterations,
  pinHash: new Uint8Array(),
};
record.pinHash = await hashManualCodePin(p.backend, {
  eventId: record.eventId,
  ticketNumber,
  pin: '271828',
  salt: record.salt,
  iterations,
});
const recordJson = {
  ...fieldsToJson(base({})),
  ticketNumber,
  salt: toHex(record.salt),
  iterations,
  pinHash: toHex(record.pinHash),
};
const { devicePublicKey: _d, phoneTag: _t, reserved: _r, ...termsJson } = recordJson;
const manualCase = (
  name: string,
  input: { ticketNumber: string; pin: string },
  admitted: boolean,
  reason: string,
  eventIds = ['EV1042'],
  record = termsJson,
) => ({
  name,
  input,
  record,
  context: { eventIds, nowS: scanAt },
  expected: { admitted, reason },
});
const typo = `${ticketNumber.slice(0, 3)}${(Number(ticketNumber[3]) + 1) % 10}${ticketNumber.slice(4)}`;
const manualCodes: Vectors['manualCodes'] = {
  damm: dammDigits.map((digits) => ({ digits, checkDigit: dammCheckDigit(digits) })),
  ticketNumbers: [
    { input: ticketNumber, canonical: ticketNumber },
    {
      input: `${ticketNumber.slice(0, 3)}-${ticketNumber.slice(3, 6)}-${ticketNumber.slice(6)}`,
      canonical: ticketNumber,
    },
    {
      input: `${ticketNumber.slice(0, 3)} ${ticketNumber.slice(3, 6)} ${ticketNumber.slice(6)}`,
      canonical: ticketNumber,
    },
    { input: typo, error: 'invalid_field' },
    {
      input: `${ticketNumber.slice(0, 3)}${ticketNumber[4]}${ticketNumber[3]}${ticketNumber.slice(5)}`,
      error: 'invalid_field',
    },
    { input: ticketNumber.slice(0, 9), error: 'invalid_field' },
    { input: 'ABCDEFGHIJ', error: 'invalid_field' },
  ],
  pinHashes: [
    {
      eventId: 'EV1042',
      ticketNumber,
      pin: '271828',
      salt: toHex(record.salt),
      iterations,
      hash: toHex(record.pinHash),
    },
    {
      eventId: 'EV1042',
      ticketNumber,
      pin: '000000',
      salt: toHex(salt('manual salt 2')),
      iterations: 20_000,
      hash: toHex(
        await hashManualCodePin(p.backend, {
          eventId: 'EV1042',
          ticketNumber,
          pin: '000000',
          salt: salt('manual salt 2'),
          iterations: 20_000,
        }),
      ),
    },
  ],
  decisions: [
    manualCase('right number and PIN', { ticketNumber, pin: '271828' }, true, 'valid'),
    manualCase('wrong PIN', { ticketNumber, pin: '271829' }, false, 'wrong_code'),
    manualCase(
      'unknown number',
      { ticketNumber: '0000000000', pin: '271828' },
      false,
      'wrong_code',
    ),
    manualCase(
      'typo caught by the check digit',
      { ticketNumber: typo, pin: '271828' },
      false,
      'malformed',
    ),
    manualCase('PIN too short', { ticketNumber, pin: '2718' }, false, 'malformed'),
    manualCase('other event', { ticketNumber, pin: '271828' }, false, 'wrong_event', ['EV9999']),
    manualCase(
      'corrupt record in the event package',
      { ticketNumber, pin: '271828' },
      false,
      'malformed',
      ['EV1042'],
      { ...termsJson, iterations: 5 },
    ),
  ],
};

const base45Vectors: Vectors['base45'] = {
  // The first three are RFC 9285's own examples.
  valid: [
    { bytes: toHex(new TextEncoder().encode('AB')), text: 'BB8' },
    { bytes: toHex(new TextEncoder().encode('Hello!!')), text: '%69 VD92EX0' },
    { bytes: toHex(new TextEncoder().encode('base-45')), text: 'UJCLQE7W581' },
    { bytes: '', text: '' },
    { bytes: '00', text: '00' },
    { bytes: 'ff', text: 'U5' },
    { bytes: 'ffff', text: 'FGW' },
  ],
  invalid: [
    { text: 'A', error: 'bad_encoding' },
    { text: 'GGW', error: 'bad_encoding' },
    { text: 'V5', error: 'bad_encoding' },
    { text: 'AB#', error: 'bad_encoding' },
  ],
};

const vectors: Vectors = {
  base45: base45Vectors,
  keys,
  credentials,
  presentations,
  decisions,
  manualCodes,
};
const directory = new URL('./vectors/', import.meta.url);
for (const [name, value] of Object.entries(vectors)) {
  writeFileSync(new URL(`${name}.json`, directory), `${JSON.stringify(value, null, 2)}\n`);
}
console.log(`wrote ${Object.keys(vectors).length} vector files to ${directory.pathname}`);
