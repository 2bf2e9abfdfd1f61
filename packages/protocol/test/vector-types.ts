/**
 * The JSON shape of `test/vectors/*.json`. Bytes are lowercase hex, bigints are decimal strings,
 * so any language can read them. docs/protocol.md section 11 describes each field.
 */
export interface TicketTermsJson {
  eventId: string;
  ticketId: string;
  kind: 'single' | 'multi' | 'timed' | 'stored_value';
  reentryAllowed: boolean;
  entriesAllowed: number;
  validFromS: number;
  validUntilS: number;
  storedValue: string;
  revision: number;
}

export interface CredentialFieldsJson extends TicketTermsJson {
  devicePublicKey: string;
  phoneTag: string;
  reserved: string;
}

export interface KeyJson {
  name: string;
  seed: string;
  publicKey: string;
  keyId: string;
}

export interface Vectors {
  base45: { valid: { bytes: string; text: string }[]; invalid: { text: string; error: string }[] };
  keys: {
    organizers: KeyJson[];
    devices: KeyJson[];
    phoneTag: { secret: string; phone: string; tag: string }[];
  };
  credentials: {
    valid: {
      name: string;
      organizer: string;
      fields: CredentialFieldsJson;
      signingInput: string;
      bytes: string;
    }[];
    invalid: { name: string; bytes: string; error: string; field: string }[];
  };
  presentations: {
    valid: {
      name: string;
      credential: string;
      device: string;
      timeS: number;
      signingInput: string;
      bytes: string;
      text: string;
      qrVersionM: number;
    }[];
    invalid: { name: string; text: string; error: string; field: string }[];
  };
  decisions: {
    name: string;
    text: string;
    context: {
      keyring: { publicKey: string; eventIds?: string[] }[];
      eventIds: string[];
      nowS: number;
      revocations?: { eventId: string; ticketId: string; throughRevision: number }[];
      history?: {
        direction: 'entry' | 'exit';
        atS: number;
        revision: number;
        presentationTimeS?: number;
        debit?: string;
        gate?: string;
      }[];
      debit?: string;
    };
    expected: {
      admitted: boolean;
      reason: string;
      usesRemaining?: number | null;
      valueRemaining?: string | null;
      firstAdmissionAtS?: number;
    };
  }[];
  manualCodes: {
    damm: { digits: string; checkDigit: number }[];
    ticketNumbers: { input: string; canonical?: string; error?: string }[];
    pinHashes: {
      eventId: string;
      ticketNumber: string;
      pin: string;
      salt: string;
      iterations: number;
      hash: string;
    }[];
    decisions: {
      name: string;
      input: { ticketNumber: string; pin: string };
      record: TicketTermsJson & {
        ticketNumber: string;
        salt: string;
        iterations: number;
        pinHash: string;
      };
      context: { eventIds: string[]; nowS: number };
      expected: { admitted: boolean; reason: string };
    }[];
  };
}
