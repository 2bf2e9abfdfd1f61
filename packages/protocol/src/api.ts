import { bytesEqual, concatBytes } from './bytes.ts';
import {
  type Credential,
  type CredentialFields,
  credentialSigningInput,
  decodeCredential,
  encodeCredentialBody,
  type TicketTerms,
} from './credential.ts';
import type { CryptoBackend, Ed25519Signer } from './crypto.ts';
import { ProtocolError } from './errors.ts';
import { type KeyringEntry, prepareKeyring } from './keyring.ts';
import { keyIdFor, phoneTag } from './keys.ts';
import { manualCodeIterationsDefault } from './limits.ts';
import {
  createManualCodeRecord,
  generateManualCode,
  type ManualCode,
  type ManualCodeContext,
  verifyManualCode,
} from './manual-code.ts';
import type { Presentation } from './presentation.ts';
import {
  encodePresentation,
  presentationSigningInput,
  presentationToText,
} from './presentation.ts';
import {
  type AuthenticationContext,
  authenticatePresentation,
  type VerificationContext,
  verifyPresentation,
} from './verify.ts';

export interface IssuedCredential {
  credential: Credential;
  /** What the phone stores and puts at the head of every presentation. */
  bytes: Uint8Array;
}

export interface MadePresentation {
  bytes: Uint8Array;
  /** The QR text (base45). */
  text: string;
}

/**
 * The protocol bound to one crypto backend. `@tessera/protocol` exports `protocol` bound to
 * node:crypto in Node and to WebCrypto in browsers; both give the same bytes and decisions.
 */
export function createProtocol(backend: CryptoBackend) {
  return {
    backend,

    /** Unit 110: builds and signs a credential with the organizer's key. */
    async issueCredential(
      fields: CredentialFields,
      organizer: Ed25519Signer,
    ): Promise<IssuedCredential> {
      const keyId = await keyIdFor(backend, organizer.publicKey);
      const body = encodeCredentialBody(fields, keyId);
      const signature = await organizer.sign(credentialSigningInput(body));
      const bytes = concatBytes(body, signature);
      return { credential: decodeCredential(bytes), bytes };
    },

    /**
     * Unit 312: the phone's barcode for `timeS`. Refuses a device key other than the one the
     * credential names, since such a barcode could only ever be refused at the gate.
     */
    async createPresentation(
      credentialBytes: Uint8Array,
      device: Ed25519Signer,
      timeS: number,
    ): Promise<MadePresentation> {
      const credential = decodeCredential(credentialBytes);
      if (!bytesEqual(credential.devicePublicKey, device.publicKey)) {
        throw new ProtocolError(
          'invalid_argument',
          'device',
          'this device key is not the one the ticket is bound to',
        );
      }
      const digest = await backend.sha256(credentialBytes);
      const signature = await device.sign(presentationSigningInput(digest, timeS));
      const bytes = encodePresentation(credentialBytes, timeS, signature);
      return { bytes, text: presentationToText(bytes) };
    },

    verifyPresentation: (input: string | Uint8Array, context: VerificationContext) =>
      verifyPresentation(backend, input, context),
    /** The first half of `verifyPresentation`: format, signatures, age (no entitlement). */
    authenticatePresentation: (
      input: string | Uint8Array | Presentation,
      context: AuthenticationContext,
    ) => authenticatePresentation(backend, input, context),

    prepareKeyring: (entries: readonly KeyringEntry[]) => prepareKeyring(backend, entries),
    keyIdFor: (publicKey: Uint8Array) => keyIdFor(backend, publicKey),
    phoneTag: (issuerSecret: Uint8Array, phoneE164: string) =>
      phoneTag(backend, issuerSecret, phoneE164),

    generateManualCode: () => generateManualCode(backend),
    createManualCodeRecord: (
      terms: TicketTerms,
      code: ManualCode,
      iterations = manualCodeIterationsDefault,
    ) => createManualCodeRecord(backend, terms, code, iterations),
    verifyManualCode: (input: { ticketNumber: string; pin: string }, context: ManualCodeContext) =>
      verifyManualCode(backend, input, context),

    generateSigner: (options?: { extractable?: boolean }) => backend.generateSigner(options),
    signerFromSeed: (seed: Uint8Array) => backend.signerFromSeed(seed),
  };
}

export type Protocol = ReturnType<typeof createProtocol>;
