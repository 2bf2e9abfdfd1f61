/**
 * Checks an implementation against the golden vectors. Platform-neutral on purpose: the Node
 * tests run it with both backends and the browser test runs the very same code in Chromium.
 */
import {
  type AdmissionRecord,
  base45Decode,
  base45Encode,
  type CredentialFields,
  credentialSigningInput,
  dammCheckDigit,
  decodeCredential,
  decodePresentation,
  encodeCredentialBody,
  fromHex,
  hashManualCodePin,
  isProtocolError,
  type Protocol,
  parseTicketNumber,
  prepareRevocations,
  presentationFromText,
  presentationSigningInput,
  type TicketTerms,
  toHex,
} from '../src/index.ts';
import type { CredentialFieldsJson, TicketTermsJson, Vectors } from './vector-types.ts';

export function termsFromJson(json: TicketTermsJson): TicketTerms {
  return {
    eventId: json.eventId,
    ticketId: json.ticketId,
    kind: json.kind,
    reentryAllowed: json.reentryAllowed,
    entriesAllowed: json.entriesAllowed,
    validFromS: json.validFromS,
    validUntilS: json.validUntilS,
    storedValue: BigInt(json.storedValue),
    revision: json.revision,
  };
}

export function fieldsFromJson(json: CredentialFieldsJson): CredentialFields {
  return {
    ...termsFromJson(json),
    devicePublicKey: fromHex(json.devicePublicKey),
    phoneTag: fromHex(json.phoneTag),
    reserved: fromHex(json.reserved),
  };
}

export function fieldsToJson(fields: CredentialFields): CredentialFieldsJson {
  return {
    eventId: fields.eventId,
    ticketId: fields.ticketId,
    kind: fields.kind,
    reentryAllowed: fields.reentryAllowed,
    entriesAllowed: fields.entriesAllowed,
    validFromS: fields.validFromS,
    validUntilS: fields.validUntilS,
    storedValue: fields.storedValue.toString(),
    revision: fields.revision,
    devicePublicKey: toHex(fields.devicePublicKey),
    phoneTag: toHex(fields.phoneTag),
    reserved: toHex(fields.reserved),
  };
}

export interface VectorReport {
  checks: number;
  failures: string[];
}

function errorOf(run: () => unknown): { code: string; field: string } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (isProtocolError(error)) return { code: error.code, field: error.field };
    return { code: `non-protocol error: ${String(error)}`, field: '' };
  }
}

export async function runVectors(p: Protocol, vectors: Vectors): Promise<VectorReport> {
  const failures: string[] = [];
  let checks = 0;
  const expect = (ok: boolean, what: string) => {
    checks += 1;
    if (!ok) failures.push(what);
  };

  for (const v of vectors.base45.valid) {
    expect(base45Encode(fromHex(v.bytes)) === v.text, `base45 encode ${v.bytes}`);
    expect(toHex(base45Decode(v.text)) === v.bytes, `base45 decode ${JSON.stringify(v.text)}`);
  }
  for (const v of vectors.base45.invalid) {
    expect(
      errorOf(() => base45Decode(v.text))?.code === v.error,
      `base45 refuses ${JSON.stringify(v.text)}`,
    );
  }

  const signers = new Map<string, Awaited<ReturnType<Protocol['signerFromSeed']>>>();
  for (const key of [...vectors.keys.organizers, ...vectors.keys.devices]) {
    const signer = await p.signerFromSeed(fromHex(key.seed));
    signers.set(key.name, signer);
    expect(toHex(signer.publicKey) === key.publicKey, `public key of ${key.name}`);
    expect(toHex(await p.keyIdFor(signer.publicKey)) === key.keyId, `key id of ${key.name}`);
  }
  for (const v of vectors.keys.phoneTag) {
    expect(
      toHex(await p.phoneTag(fromHex(v.secret), v.phone)) === v.tag,
      `phone tag of ${v.phone}`,
    );
  }

  for (const v of vectors.credentials.valid) {
    const fields = fieldsFromJson(v.fields);
    const organizer = signers.get(v.organizer);
    if (organizer === undefined) throw new Error(`vector names unknown organizer ${v.organizer}`);
    const body = encodeCredentialBody(fields, await p.keyIdFor(organizer.publicKey));
    expect(
      toHex(credentialSigningInput(body)) === v.signingInput,
      `credential ${v.name}: signing input`,
    );
    const issued = await p.issueCredential(fields, organizer);
    expect(toHex(issued.bytes) === v.bytes, `credential ${v.name}: bytes`);
    const decoded = decodeCredential(fromHex(v.bytes));
    expect(
      JSON.stringify(fieldsToJson(decoded)) === JSON.stringify(v.fields),
      `credential ${v.name}: decodes to its fields`,
    );
  }
  for (const v of vectors.credentials.invalid) {
    const error = errorOf(() => decodeCredential(fromHex(v.bytes)));
    expect(
      error?.code === v.error && error.field === v.field,
      `credential ${v.name}: refused with ${v.error} at ${v.field}, got ${JSON.stringify(error)}`,
    );
  }

  for (const v of vectors.presentations.valid) {
    const device = signers.get(v.device);
    if (device === undefined) throw new Error(`vector names unknown device ${v.device}`);
    const credential = fromHex(v.credential);
    const digest = await p.backend.sha256(credential);
    expect(
      toHex(presentationSigningInput(digest, v.timeS)) === v.signingInput,
      `presentation ${v.name}: signing input`,
    );
    const made = await p.createPresentation(credential, device, v.timeS);
    expect(toHex(made.bytes) === v.bytes, `presentation ${v.name}: bytes`);
    expect(made.text === v.text, `presentation ${v.name}: text`);
    const decoded = decodePresentation(presentationFromText(v.text));
    expect(
      toHex(decoded.credentialBytes) === v.credential && decoded.timeS === v.timeS,
      `presentation ${v.name}: decodes`,
    );
  }
  for (const v of vectors.presentations.invalid) {
    const error = errorOf(() => decodePresentation(presentationFromText(v.text)));
    expect(
      error?.code === v.error && error.field === v.field,
      `presentation ${v.name}: refused with ${v.error} at ${v.field}, got ${JSON.stringify(error)}`,
    );
  }

  for (const v of vectors.decisions) {
    const keyring = await p.prepareKeyring(
      v.context.keyring.map((entry) => ({
        publicKey: fromHex(entry.publicKey),
        ...(entry.eventIds === undefined ? {} : { eventIds: entry.eventIds }),
      })),
    );
    const history: AdmissionRecord[] = (v.context.history ?? []).map((record) => ({
      direction: record.direction,
      atS: record.atS,
      revision: record.revision,
      ...(record.presentationTimeS === undefined
        ? {}
        : { presentationTimeS: record.presentationTimeS }),
      ...(record.debit === undefined ? {} : { debit: BigInt(record.debit) }),
      ...(record.gate === undefined ? {} : { gate: record.gate }),
    }));
    const decision = await p.verifyPresentation(v.text, {
      keyring,
      eventIds: v.context.eventIds,
      nowS: v.context.nowS,
      revocations: prepareRevocations(v.context.revocations ?? []),
      history: { admissionsFor: () => history },
      ...(v.context.debit === undefined ? {} : { debit: BigInt(v.context.debit) }),
    });
    const got = decision.admitted
      ? {
          admitted: true,
          reason: decision.reason,
          usesRemaining: decision.usesRemaining,
          valueRemaining: decision.valueRemaining?.toString() ?? null,
        }
      : {
          admitted: false,
          reason: decision.reason,
          firstAdmissionAtS: decision.firstAdmission?.atS,
        };
    const want = v.expected;
    const same =
      got.admitted === want.admitted &&
      got.reason === want.reason &&
      (!('usesRemaining' in want) ||
        (got as { usesRemaining?: unknown }).usesRemaining === want.usesRemaining) &&
      (!('valueRemaining' in want) ||
        (got as { valueRemaining?: unknown }).valueRemaining === want.valueRemaining) &&
      (!('firstAdmissionAtS' in want) ||
        (got as { firstAdmissionAtS?: unknown }).firstAdmissionAtS === want.firstAdmissionAtS);
    expect(same, `decision ${v.name}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }

  for (const v of vectors.manualCodes.damm) {
    expect(dammCheckDigit(v.digits) === v.checkDigit, `Damm check digit of ${v.digits}`);
  }
  for (const v of vectors.manualCodes.ticketNumbers) {
    if (v.canonical !== undefined) {
      expect(
        errorOf(() => parseTicketNumber(v.input)) === undefined &&
          parseTicketNumber(v.input) === v.canonical,
        `ticket number ${v.input}`,
      );
    } else {
      expect(
        errorOf(() => parseTicketNumber(v.input))?.code === v.error,
        `ticket number ${v.input} refused`,
      );
    }
  }
  for (const v of vectors.manualCodes.pinHashes) {
    const hash = await hashManualCodePin(p.backend, { ...v, salt: fromHex(v.salt) });
    expect(toHex(hash) === v.hash, `PIN hash for ${v.ticketNumber}`);
  }
  for (const v of vectors.manualCodes.decisions) {
    const record = {
      ...termsFromJson(v.record),
      ticketNumber: v.record.ticketNumber,
      salt: fromHex(v.record.salt),
      iterations: v.record.iterations,
      pinHash: fromHex(v.record.pinHash),
    };
    const decision = await p.verifyManualCode(v.input, {
      ...v.context,
      lookup: (ticketNumber) => (ticketNumber === record.ticketNumber ? record : undefined),
    });
    expect(
      decision.admitted === v.expected.admitted && decision.reason === v.expected.reason,
      `manual code ${v.name}: want ${v.expected.reason}, got ${decision.reason}`,
    );
  }
  return { checks, failures };
}
