/**
 * Claim 11 as the gate terminal decides it with no server: the protocol's node backend stands in
 * for the browser's WebCrypto (both give the same bytes and decisions), and the admissions known
 * come through the terminal's own KnownAdmissions, from its log (here) and from the package or
 * the live feed (the other gates, synced).
 */
import {
  type CredentialFields,
  type Ed25519Signer,
  encodePresentation,
  nodeBackend,
  prepareRevocations,
  presentationSigningInput,
  presentationToText,
  protocol,
  type RevocationEntry,
  toHex,
} from '@tessera/protocol/node';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  PackageAdmission,
  PackageCategory,
  PackageManualCode,
  PackagePerformance,
} from './api.ts';
import { beginEntry } from './decision.ts';
import { KnownAdmissions, storedFromLog, storedFromPackage } from './known-admissions.ts';
import {
  decideOffline,
  manualFailuresMax,
  manualFailureWindowMs,
  type OfflineKnowledge,
  type OfflineOutcome,
} from './offline-decision.ts';
import type { Credential, Direction, TicketRead } from './terminal-types.ts';

/** The scan time: 2026-09-21, by the server's clock. */
const nowS = 1_790_000_100;
const here: Credential = {
  token: 'trm_token',
  terminal: { id: 'trm_north', name: 'North 1', gate: 'North' },
  enrolledAt: '2026-09-21T18:00:00.000Z',
};

const window = { validFromS: nowS - 3_600, validUntilS: nowS + 3_600 };

function category(name: string, terms: Partial<PackageCategory> = {}): PackageCategory {
  return {
    id: `cat_${name}`,
    name,
    kind: 'single',
    entriesAllowed: 1,
    reentryAllowed: false,
    ...window,
    storedValue: '0',
    storedValueAsset: null,
    storedValueScale: null,
    ...terms,
  };
}

const performances: PackagePerformance[] = [
  {
    id: 'prf_1',
    code: 'PRF1',
    eventId: 'evt_1',
    eventName: 'Gate Night',
    status: 'on_sale',
    doorsAt: new Date((nowS - 600) * 1000).toISOString(),
    startsAt: new Date((nowS + 3_600) * 1000).toISOString(),
    endsAt: new Date((nowS + 7_200) * 1000).toISOString(),
    closedAt: null,
    categories: [
      category('Floor'),
      category('Club', { reentryAllowed: true }),
      category('Bar tab', {
        kind: 'stored_value',
        entriesAllowed: 0,
        storedValue: '10000',
        storedValueAsset: 'USDT',
        storedValueScale: 2,
      }),
    ],
    doorSales: { enabled: true, categoryIds: ['cat_Floor', 'cat_Club'], maxPerSale: 4 },
  },
];

let organizer: Ed25519Signer;
let device: Ed25519Signer;
let keyring: Awaited<ReturnType<typeof protocol.prepareKeyring>>;
let serial = 0;

beforeAll(async () => {
  organizer = await protocol.signerFromSeed(new Uint8Array(32).fill(7));
  device = await protocol.generateSigner();
  keyring = await protocol.prepareKeyring([{ publicKey: organizer.publicKey, label: 'k1' }]);
});

/** A ticket of performance PRF1 bound to the holder's device; Floor unless told otherwise. */
async function ticket(terms: Partial<CredentialFields> = {}) {
  serial += 1;
  const fields: CredentialFields = {
    eventId: 'PRF1',
    ticketId: `T${String(serial).padStart(4, '0')}`,
    kind: 'single',
    reentryAllowed: false,
    entriesAllowed: 1,
    ...window,
    storedValue: 0n,
    revision: 1,
    devicePublicKey: device.publicKey,
    phoneTag: new Uint8Array(8),
    reserved: new Uint8Array(0),
    ...terms,
  };
  const { bytes } = await protocol.issueCredential(fields, organizer);
  return {
    fields,
    /** The holder's live barcode at `timeS`. */
    barcode: async (timeS = nowS) => (await protocol.createPresentation(bytes, device, timeS)).text,
    /** The same credential presented by another phone, signed with that phone's own key. */
    copiedTo: async (other: Ed25519Signer, timeS = nowS) => {
      const digest = await nodeBackend.sha256(bytes);
      const signature = await other.sign(presentationSigningInput(digest, timeS));
      return presentationToText(encodePresentation(bytes, timeS, signature));
    },
  };
}

/** What one terminal holds: the package above, and the admissions it learns as it goes. */
function terminal(
  options: {
    revocations?: RevocationEntry[];
    manualCodes?: PackageManualCode[];
    /** Instead of the performances above. */
    performances?: PackagePerformance[];
    /** The package's category id of a ticket, by `performanceCode/ticketId`. */
    categoryIds?: Record<string, string>;
  } = {},
) {
  const admissions = new KnownAdmissions();
  const codes = new Map((options.manualCodes ?? []).map((code) => [code.ticketNumber, code]));
  let wrongCodesAtMs: readonly number[] = [];
  const known = (): OfflineKnowledge => ({
    keyring,
    performances: options.performances ?? performances,
    revocations: prepareRevocations(options.revocations ?? []),
    admissionsFor: admissions.admissionsFor,
    manualCode: (number) => codes.get(number),
    categoryIdOf: (eventId, ticketId) => options.categoryIds?.[`${eventId}/${ticketId}`],
    wrongCodesAtMs,
  });
  return {
    admissions,
    /** Decides a read as GateTerminal does offline, and logs an admission like it. */
    async decide(
      read: TicketRead,
      options: { direction?: Direction; debit?: bigint; atS?: number } = {},
    ): Promise<OfflineOutcome> {
      const scannedAt = new Date((options.atS ?? nowS) * 1000);
      const direction = options.direction ?? 'entry';
      const input = 'barcode' in read ? 'camera' : 'manual';
      const outcome = await decideOffline(protocol, known(), {
        read,
        begun: beginEntry(input, direction, scannedAt, 'offline', null),
        debit: options.debit ?? 0n,
        scannedAt,
        outsideVenue: false,
      });
      wrongCodesAtMs = outcome.wrongCodesAtMs;
      const own = storedFromLog(outcome.entry, here);
      if (own) admissions.remember(own);
      return outcome;
    },
  };
}

describe('the offline decision on a barcode (claim 11)', () => {
  it('admits a valid barcode, names its category and logs it for upload', async () => {
    const floor = await ticket();
    const { decision, entry } = await terminal().decide({ barcode: await floor.barcode() });
    expect(decision).toMatchObject({
      admitted: true,
      reason: 'valid',
      detail: 'admit',
      source: 'offline',
      ticketId: floor.fields.ticketId,
      kind: 'single',
      category: 'Floor',
      usesRemaining: 0,
      firstAdmission: null,
    });
    expect(entry).toMatchObject({
      admitted: true,
      pending: 1,
      source: 'offline',
      performanceCode: 'PRF1',
      ticketId: floor.fields.ticketId,
      revision: 1,
      presentationTimeS: nowS,
      debit: '0',
      at: new Date(nowS * 1000).toISOString(),
    });
  });

  it('names the category its package record gives, where two categories have the same terms', async () => {
    const twins: PackagePerformance[] = [
      {
        ...(performances[0] as PackagePerformance),
        categories: [category('Floor'), category('Balcony')],
      },
    ];
    const balcony = await ticket();
    const key = `PRF1/${balcony.fields.ticketId}`;
    const unnamed = await terminal({ performances: twins }).decide({
      barcode: await balcony.barcode(),
    });
    // The terms alone cannot tell: no category rather than a wrong one.
    expect(unnamed.decision).toMatchObject({ admitted: true, category: null });
    const named = await terminal({
      performances: twins,
      categoryIds: { [key]: 'cat_Balcony' },
    }).decide({ barcode: await balcony.barcode() });
    expect(named.decision).toMatchObject({ admitted: true, category: 'Balcony' });
    expect(named.entry.category).toBe('Balcony');
  });

  it('says from when a ticket not valid yet can be used', async () => {
    const later = await ticket({ validFromS: nowS + 7_200, validUntilS: nowS + 10_800 });
    const { decision } = await terminal().decide({ barcode: await later.barcode() });
    expect(decision).toMatchObject({
      admitted: false,
      reason: 'not_yet_valid',
      validFrom: new Date((nowS + 7_200) * 1000).toISOString(),
    });
    const floor = await ticket();
    const admitted = await terminal().decide({ barcode: await floor.barcode() });
    expect(admitted.decision.validFrom).toBeNull();
  });

  it('refuses before the first package: nothing to check against', async () => {
    const floor = await ticket();
    const outcome = await decideOffline(
      protocol,
      {
        keyring: undefined,
        performances: [],
        revocations: prepareRevocations([]),
        admissionsFor: () => [],
        manualCode: () => undefined,
        categoryIdOf: () => undefined,
        wrongCodesAtMs: [],
      },
      {
        read: { barcode: await floor.barcode() },
        begun: beginEntry('camera', 'entry', new Date(nowS * 1000), 'offline', null),
        debit: 0n,
        scannedAt: new Date(nowS * 1000),
        outsideVenue: true,
      },
    );
    expect(outcome.decision).toMatchObject({
      admitted: false,
      reason: 'no_package',
      outsideVenue: true,
    });
    expect(outcome.entry).toMatchObject({ reason: 'no_package', pending: 0 });
  });

  it('refuses a copy shown from another device', async () => {
    const floor = await ticket();
    const other = await protocol.generateSigner();
    const { decision, entry } = await terminal().decide({ barcode: await floor.copiedTo(other) });
    expect(decision).toMatchObject({ admitted: false, reason: 'wrong_device' });
    expect(entry.pending).toBe(0);
  });

  it('refuses a barcode made a minute ago (a screenshot), by the scan time given', async () => {
    const floor = await ticket();
    const gate = terminal();
    const { decision } = await gate.decide({ barcode: await floor.barcode(nowS - 60) });
    expect(decision).toMatchObject({ admitted: false, reason: 'stale' });
    // The same barcode decided at the time it was made is fresh.
    const atTheTime = await gate.decide(
      { barcode: await floor.barcode(nowS - 60) },
      { atS: nowS - 60 },
    );
    expect(atTheTime.decision.reason).toBe('valid');
  });

  it("refuses another event's ticket", async () => {
    const elsewhere = await ticket({ eventId: 'PRF9' });
    const { decision, entry } = await terminal().decide({ barcode: await elsewhere.barcode() });
    expect(decision).toMatchObject({ admitted: false, reason: 'wrong_event', category: null });
    expect(entry).toMatchObject({ performanceCode: 'PRF9', pending: 0 });
  });

  it('refuses a revoked revision and admits the reissued one', async () => {
    const old = await ticket();
    const revocations = [{ eventId: 'PRF1', ticketId: old.fields.ticketId, throughRevision: 1 }];
    const gate = terminal({ revocations });
    const refused = await gate.decide({ barcode: await old.barcode() });
    expect(refused.decision).toMatchObject({ admitted: false, reason: 'revoked' });
    const reissued = await ticket({ ticketId: old.fields.ticketId, revision: 2 });
    const admitted = await gate.decide({ barcode: await reissued.barcode() });
    expect(admitted.decision).toMatchObject({ admitted: true, reason: 'valid' });
    expect(admitted.entry.revision).toBe(2);
  });

  it('refuses a ticket already admitted here, saying when and at which gate', async () => {
    const floor = await ticket();
    const gate = terminal();
    expect((await gate.decide({ barcode: await floor.barcode() })).decision.admitted).toBe(true);
    const again = await gate.decide(
      { barcode: await floor.barcode(nowS + 20) },
      { atS: nowS + 20 },
    );
    expect(again.decision).toMatchObject({
      admitted: false,
      reason: 'already_used',
      firstAdmission: { at: new Date(nowS * 1000).toISOString(), gate: 'North' },
    });
    expect(again.entry.pending).toBe(0);
  });

  it('refuses a ticket admitted at another gate, known from the package or the live feed', async () => {
    const floor = await ticket();
    const gate = terminal();
    const south: PackageAdmission = {
      id: 'adm_1',
      performanceCode: 'PRF1',
      ticketId: floor.fields.ticketId,
      revision: 1,
      direction: 'entry',
      debit: '0',
      scannedAt: new Date((nowS - 300) * 1000).toISOString(),
      presentationTimeS: nowS - 301,
      gate: 'South',
      terminalId: 'trm_south',
      duplicate: false,
    };
    gate.admissions.remember(storedFromPackage(south));
    const { decision } = await gate.decide({ barcode: await floor.barcode() });
    expect(decision).toMatchObject({
      admitted: false,
      reason: 'already_used',
      firstAdmission: { gate: 'South' },
    });
    expect(gate.admissions.counters()).toEqual([{ gate: 'South', entries: 1, exits: 0 }]);
  });
});

describe('scanning out and back in', () => {
  it('lets a re-entry ticket out and back in, and not in twice', async () => {
    const club = await ticket({ reentryAllowed: true });
    const gate = terminal();
    const read = async (atS: number, direction: Direction = 'entry') =>
      (await gate.decide({ barcode: await club.barcode(atS) }, { atS, direction })).decision;
    expect(await read(nowS, 'exit')).toMatchObject({ admitted: false, reason: 'not_inside' });
    expect(await read(nowS)).toMatchObject({ admitted: true, reason: 'valid', category: 'Club' });
    expect(await read(nowS + 5)).toMatchObject({ admitted: false, reason: 'already_used' });
    expect(await read(nowS + 60, 'exit')).toMatchObject({
      admitted: true,
      reason: 'exit',
      detail: 'scanned out',
    });
    expect(await read(nowS + 120)).toMatchObject({
      admitted: true,
      reason: 'reentry',
      detail: 'welcome back',
    });
  });

  it('does not let a ticket without re-entry scan out', async () => {
    const floor = await ticket();
    const gate = terminal();
    await gate.decide({ barcode: await floor.barcode() });
    const out = await gate.decide(
      { barcode: await floor.barcode(nowS + 30) },
      { atS: nowS + 30, direction: 'exit' },
    );
    expect(out.decision).toMatchObject({ admitted: false, reason: 'no_reentry' });
  });
});

describe('stored value', () => {
  it('debits each entry, shows what is left in the asset, and refuses more than is left', async () => {
    const tab = await ticket({ kind: 'stored_value', entriesAllowed: 0, storedValue: 10_000n });
    const gate = terminal();
    const first = await gate.decide({ barcode: await tab.barcode() }, { debit: 450n });
    expect(first.decision).toMatchObject({
      admitted: true,
      category: 'Bar tab',
      kind: 'stored_value',
      valueRemaining: '95.5 USDT',
      usesRemaining: null,
    });
    expect(first.entry.debit).toBe('450');
    const atS = nowS + 40;
    const second = await gate.decide({ barcode: await tab.barcode(atS) }, { atS, debit: 9_600n });
    expect(second.decision).toMatchObject({ admitted: false, reason: 'entitlement_exhausted' });
    expect(second.decision.detail).toContain('9550');
    expect(second.entry.debit).toBe('0');
  });
});

describe('manual codes', () => {
  async function manualTicket() {
    const floor = await ticket();
    const code = protocol.generateManualCode();
    const record = await protocol.createManualCodeRecord(floor.fields, code, 1_000);
    const json: PackageManualCode = {
      ticketNumber: record.ticketNumber,
      performanceCode: record.eventId,
      ticketId: record.ticketId,
      revision: record.revision,
      kind: record.kind,
      entriesAllowed: record.entriesAllowed,
      reentryAllowed: record.reentryAllowed,
      validFromS: record.validFromS,
      validUntilS: record.validUntilS,
      storedValue: record.storedValue.toString(),
      salt: toHex(record.salt),
      iterations: record.iterations,
      pinHash: toHex(record.pinHash),
      categoryId: 'cat_Floor',
    };
    const wrongPin = code.pin.replace(/.$/, (digit) => String((Number(digit) + 1) % 10));
    return { floor, code, json, wrongPin };
  }

  it('admits the right PIN and refuses a wrong one', async () => {
    const { floor, code, json, wrongPin } = await manualTicket();
    const gate = terminal({ manualCodes: [json] });
    const wrong = await gate.decide({ ticketNumber: code.ticketNumber, pin: wrongPin });
    expect(wrong.decision).toMatchObject({ admitted: false, reason: 'wrong_code' });
    expect(wrong.wrongCodesAtMs).toEqual([nowS * 1000]);
    const right = await gate.decide({ ticketNumber: code.ticketNumber, pin: code.pin });
    expect(right.decision).toMatchObject({
      admitted: true,
      reason: 'valid',
      ticketId: floor.fields.ticketId,
      category: 'Floor',
    });
    expect(right.entry).toMatchObject({ pending: 1, presentationTimeS: null, revision: 1 });
  });

  it('stops taking codes after ten wrong ones in ten minutes, then takes them again', async () => {
    const { code, json, wrongPin } = await manualTicket();
    const gate = terminal({ manualCodes: [json] });
    for (let attempt = 0; attempt < manualFailuresMax; attempt += 1) {
      const { decision } = await gate.decide({ ticketNumber: code.ticketNumber, pin: wrongPin });
      expect(decision.reason).toBe('wrong_code');
    }
    const blocked = await gate.decide({ ticketNumber: code.ticketNumber, pin: code.pin });
    expect(blocked.decision).toMatchObject({ admitted: false, reason: 'rate_limited' });
    const later = nowS + manualFailureWindowMs / 1000 + 1;
    const open = await gate.decide(
      { ticketNumber: code.ticketNumber, pin: code.pin },
      { atS: later },
    );
    expect(open.decision).toMatchObject({ admitted: true, reason: 'valid' });
    expect(open.wrongCodesAtMs).toEqual([]);
  });
});
