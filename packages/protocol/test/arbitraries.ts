import fc from 'fast-check';
import type { CredentialFields, TicketKind } from '../src/index.ts';
import { entriesAllowedMax, revisionMax, storedValueMax, timeMaxS } from '../src/index.ts';

export const identifier = (maxLength: number) =>
  fc.string({
    unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)),
    minLength: 1,
    maxLength,
  });

/** A typical seat ticket, valid for one day from 2026-09-21T14:13:20Z. */
export const seatTicket = (
  devicePublicKey: Uint8Array,
  overrides: Partial<CredentialFields> = {},
): CredentialFields => ({
  eventId: 'EV1042',
  ticketId: 'A-12-07',
  kind: 'single',
  reentryAllowed: false,
  entriesAllowed: 1,
  validFromS: 1_790_000_000,
  validUntilS: 1_790_086_400,
  storedValue: 0n,
  revision: 0,
  devicePublicKey,
  phoneTag: new Uint8Array(8).fill(3),
  reserved: new Uint8Array(),
  ...overrides,
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
      // Re-entry tickets allow 0 (unlimited) or 1 entry; multi-entry tickets at least 1.
      entriesAllowed:
        r.kind === 'single'
          ? 1
          : r.kind === 'multi'
            ? Math.max(1, r.entries)
            : r.reentry && r.kind === 'timed'
              ? r.entries % 2
              : r.entries,
      validFromS: r.validFromS,
      validUntilS: Math.min(timeMaxS, r.validFromS + r.span),
      storedValue: r.kind === 'stored_value' ? r.storedValue : 0n,
      revision: r.revision,
      devicePublicKey,
      phoneTag: r.phoneTag,
      reserved: r.reserved,
    }));
