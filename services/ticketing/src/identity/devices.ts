/**
 * Device keys (unit 310's CID made cryptographic): a device proves it holds the private half of
 * the key it registers by signing a domain-separated message naming the user, so a key cannot be
 * registered by someone who merely saw it (in a barcode, say).
 */
import { isUniqueViolation } from '@tessera/db';
import { toBase64url } from '@tessera/protocol';
import { ApiError, conflict, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import { newId } from '../ids.ts';
import {
  type DeviceKey,
  type DeviceRecord,
  deviceByPublicKey,
  deviceOfUser,
  devicesOfUser,
  insertDevice,
  liveDeviceKey,
  revokeDeviceOfUser,
} from './repository.ts';

const registrationDomain = 'tessera/device-registration/v1';

export function deviceRegistrationMessage(userId: string, publicKey: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(`${registrationDomain}\u0000${userId}`);
  const message = new Uint8Array(text.length + publicKey.length);
  message.set(text);
  message.set(publicKey, text.length);
  return message;
}

async function verifyDeviceProof(
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

/**
 * Registers a device key for the user once its proof checks. The same key registered again by
 * the same user answers the same device (`created` false); a key another user registered, or
 * one that was revoked, is refused.
 */
export async function registerDevice(
  ticketing: Ticketing,
  userId: string,
  publicKey: Uint8Array,
  proof: Uint8Array,
  label: string | undefined,
): Promise<{ device: DeviceRecord; created: boolean }> {
  await verifyDeviceProof(ticketing, userId, publicKey, proof);
  const db = ticketing.database.db;
  const existing = await deviceByPublicKey(db, toBase64url(publicKey));
  if (existing) {
    if (existing.user_id !== userId || existing.revoked_at !== null) {
      throw conflict(
        'device_key_in_use',
        'this key is registered elsewhere or was revoked; make a new one',
      );
    }
    return { device: existing, created: false };
  }
  const row = {
    id: newId('dev'),
    user_id: userId,
    public_key: toBase64url(publicKey),
    label: label ?? 'phone',
    created_at: ticketing.clock.now(),
    revoked_at: null,
  };
  try {
    await insertDevice(db, row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict('device_key_in_use', 'this key is already registered');
    throw error;
  }
  return { device: row, created: true };
}

/** The user's devices, revoked ones included. */
export function devicesOf(ticketing: Ticketing, userId: string): Promise<DeviceRecord[]> {
  return devicesOfUser(ticketing.database.db, userId);
}

/** Revokes one of the user's devices (a revoked one stays as it was); 404 if not the user's. */
export async function revokeDevice(
  ticketing: Ticketing,
  userId: string,
  deviceId: string,
): Promise<DeviceRecord> {
  const db = ticketing.database.db;
  await revokeDeviceOfUser(db, userId, deviceId, ticketing.clock.now());
  const row = await deviceOfUser(db, userId, deviceId);
  if (!row) throw notFound('device');
  return row;
}

/** One of the user's devices that is not revoked, with its key; 404 otherwise. */
export async function liveDevice(
  ticketing: Ticketing,
  userId: string,
  deviceId: string,
): Promise<DeviceKey> {
  const device = await liveDeviceKey(ticketing.database.db, userId, deviceId);
  if (!device) throw notFound('device');
  return device;
}
