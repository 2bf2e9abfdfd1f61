/**
 * The cryptographic port. The protocol's logic is written once against this interface; Node
 * binds it to node:crypto and browsers to WebCrypto, so both run the same code on the same bytes.
 */
export interface VerifyKey {
  /** The raw 32-byte Ed25519 public key this handle was imported from. */
  readonly publicKey: Uint8Array;
}

export interface Ed25519Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

export interface CryptoBackend {
  readonly name: string;
  sha256(data: Uint8Array): Promise<Uint8Array>;
  hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  pbkdf2Sha256(
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    lengthBytes: number,
  ): Promise<Uint8Array>;
  randomBytes(count: number): Uint8Array;
  importVerifyKey(publicKey: Uint8Array): Promise<VerifyKey>;
  /** False for a wrong signature or an unusable key; never throws for either. */
  verify(key: VerifyKey, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /**
   * A new key pair. With `extractable` false (the default), the private key cannot be read out:
   * in a browser it lives only as a non-extractable CryptoKey, as the device key must.
   */
  generateSigner(options?: { extractable?: boolean }): Promise<Ed25519Signer>;
  /** A signer from a 32-byte RFC 8032 seed: for servers' stored keys and for test vectors. */
  signerFromSeed(seed: Uint8Array): Promise<Ed25519Signer>;
}
