/**
 * Device keys (unit 310's CID made cryptographic): a device proves it holds the private half of
 * the key it registers by signing a domain-separated message naming the user, so a key cannot be
 * registered by someone who merely saw it (in a barcode, say).
 */
import { ApiError, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';

const registrationDomain = 'tessera/device-registration/v1';

export function deviceRegistrationMessage(userId: string, publicKey: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(`${registrationDomain}\u0000${userId}`);
  const message = new Uint8Array(text.length + publicKey.length);
  message.set(text);
  message.set(publicKey, text.length);
  return message;
}

export async function verifyDeviceProof(
  ticketing: Ticketing,
  userId: string,
  publicKey: Uint8Array,
  proof: Uint8Array,
) {
  const invalid = () =>
    new ApiError(400, 'invalid_device_proof', 'the proof is not a signature by this key');
  if (publicKey.length !== 32 || proof.length !== 64) throw invalid();
  const backend = ticketing.protocol.backend;
  let ok = false;
  try {
    const key = await backend.importVerifyKey(publicKey);
    ok = await backend.verify(key, deviceRegistrationMessage(userId, publicKey), proof);
  } catch {
    ok = false;
  }
  if (!ok) throw invalid();
}

/** One of the user's devices that is not revoked, with its key; 404 otherwise. */
export async function liveDevice(ticketing: Ticketing, userId: string, deviceId: string) {
  const device = await ticketing.database.db
    .selectFrom('devices')
    .select(['id', 'public_key'])
    .where('id', '=', deviceId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!device) throw notFound('device');
  return device;
}
