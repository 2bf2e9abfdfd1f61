/** The shapes of identity's API: a user, a device and the raw keys and signatures devices send. */
import { Type } from 'typebox';

export const User = Type.Object({
  id: Type.String(),
  phone: Type.String(),
  firstName: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

export const Device = Type.Object({
  id: Type.String(),
  label: Type.String(),
  publicKey: Type.String({ description: 'Raw Ed25519 public key, base64url' }),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export const PublicKey = Type.String({
  pattern: '^[A-Za-z0-9_-]{43}$',
  description: 'base64url, 32 bytes',
});

export const Signature = Type.String({
  pattern: '^[A-Za-z0-9_-]{86}$',
  description: 'base64url, 64 bytes',
});
