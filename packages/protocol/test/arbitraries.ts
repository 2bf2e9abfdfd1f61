import fc from 'fast-check';
import type { CredentialFields, TicketKind } from '../src/index.ts';
import { entriesAllowedMax, revisionMax, storedValueMax, timeMaxS } from '../src/index.ts';

export const identifier = (maxLength: number) =>
  fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
    minLength: 1,
    maxLength,
  });

/** Valid credential fields of every kind, obeying each kind's rules. */
export const credentialFields = (devicePublicKey: Uint8Array): fc.Arbitrary<CredentialFields> =>
  fc
    .record({
      eventId: identifier(32),
      ticketId: identifier(32),
      kind: fc.constantFrom<TicketKind>('single', 'multi', 'timed', 'stored_value'),
      reentry: fc.boolean(),
      entries: fc.integer({ min: 0, max: entriesAllowedMax }),
      validFromS: fc.integer({ min: 0, max: timeMaxS - 1 }),
      span: fc.integer({ min: 1, max: timeMaxS }),
      storedValue: fc.bigInt({ min: 1n, max: storedValueMax }),
      revision: fc.integer({ min: 0, max: revisionMax }),
      phoneTag: fc.uint8Array({ minLength: 8, maxLength: 8 }),
      reserved: fc.uint8Array({ maxLength: 64 }),
    })
    .map((r) => ({
      eventId: r.eventId,
      ticketId: r.ticketId,
      kind: r.kind,
      reentryAllowed: r.reentry && (r.kind === 'single' || r.kind === 'timed'),
      entriesAllowed:
        r.kind === 'single' ? 1 : r.kind === 'multi' ? Math.max(1, r.entries) : r.entries,
      validFromS: r.validFromS,
      validUntilS: Math.min(timeMaxS, r.validFromS + r.span),
      storedValue: r.kind === 'stored_value' ? r.storedValue : 0n,
      revision: r.revision,
      devicePublicKey,
      phoneTag: r.phoneTag,
      reserved: r.reserved,
    }));
