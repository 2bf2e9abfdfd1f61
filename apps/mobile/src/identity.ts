/**
 * Who the buyer is and which device this is (unit 310: the verified phone number plus the device
 * key). The ticketing session comes from signing in with a phone and an SMS code; the device key
 * is an Ed25519 key pair made by WebCrypto with a non-extractable private half, kept in IndexedDB
 * and registered with the ticketing server together with a proof that this device holds it.
 * Tickets are signed for that key, and each barcode is signed with it (claim 10), so a copy of
 * the stored tickets on another phone cannot make a barcode.
 */
import { type Ed25519Signer, toBase64url } from '@tessera/protocol/web';
import { ApiError } from '@tessera/web-kit/http';
import type { TicketingApi } from './api/ticketing.ts';
import { deleteItem, getItem, putItem } from './storage.ts';

export interface Session {
  userId: string;
  phone: string;
  token: string;
  expiresAt: string;
}

/** The buyer's wallet session at the exchange: a separate sign-in, a separate token. */
export interface WalletSession {
  subscriberId: string;
  phone: string;
  token: string;
  expiresAt: string;
}

export interface DeviceKey {
  userId: string;
  /** Non-extractable: it can sign, and nothing can read it out, not even this app. */
  privateKey: CryptoKey;
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  /** The ticketing server's id for this key once registered. */
  deviceId: string | null;
  createdAt: number;
}

const sessionKey = 'session';
const walletKey = 'wallet';

export async function loadSession(): Promise<Session | undefined> {
  const session = await getItem<Session>('kv', sessionKey);
  if (!session || Date.parse(session.expiresAt) <= Date.now()) return undefined;
  return session;
}

export const saveSession = (session: Session) => putItem('kv', session, sessionKey);
export const forgetSession = () => deleteItem('kv', sessionKey);

export async function loadWalletSession(): Promise<WalletSession | undefined> {
  const session = await getItem<WalletSession>('kv', walletKey);
  if (!session || Date.parse(session.expiresAt) <= Date.now()) return undefined;
  return session;
}

export const saveWalletSession = (session: WalletSession) => putItem('kv', session, walletKey);
export const forgetWalletSession = () => deleteItem('kv', walletKey);

const registrationDomain = 'tessera/device-registration/v1';

/**
 * What the device signs to prove it holds its key: the domain tag, a zero byte, the user id and
 * the raw public key (services/ticketing/src/devices.ts builds the same bytes to check it).
 */
export function deviceRegistrationMessage(userId: string, publicKey: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(`${registrationDomain}\u0000${userId}`);
  const message = new Uint8Array(text.length + publicKey.length);
  message.set(text);
  message.set(publicKey, text.length);
  return message;
}

export function deviceSigner(key: Pick<DeviceKey, 'privateKey' | 'publicKey'>): Ed25519Signer {
  return {
    publicKey: key.publicKey,
    sign: async (message) =>
      new Uint8Array(
        await crypto.subtle.sign({ name: 'Ed25519' }, key.privateKey, message as BufferSource),
      ),
  };
}

export class DeviceKeyUnsupportedError extends Error {
  constructor(options?: ErrorOptions) {
    super(
      'this browser cannot make Ed25519 device keys; use a current Chrome, Edge, Safari or Firefox',
      options,
    );
    this.name = 'DeviceKeyUnsupportedError';
  }
}

async function createDeviceKey(userId: string): Promise<DeviceKey> {
  let pair: CryptoKeyPair;
  try {
    pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
  } catch (error) {
    throw new DeviceKeyUnsupportedError({ cause: error });
  }
  // The public half is always exportable; the private half was made non-extractable above.
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const key: DeviceKey = {
    userId,
    privateKey: pair.privateKey,
    publicKey,
    deviceId: null,
    createdAt: Date.now(),
  };
  await putItem('keys', key);
  return key;
}

export const loadDeviceKey = (userId: string) => getItem<DeviceKey>('keys', userId);

/**
 * This device's key for the user, registered with the ticketing server: made on first use,
 * registered with its proof of possession, and made again if the server no longer accepts the
 * old one (revoked, or registered by someone else). Losing the key (a new phone, cleared site
 * data) is recovered by signing in again, which makes a new key here, and reissuing each ticket
 * to it (tickets.ts).
 */
export async function ensureDevice(api: TicketingApi, session: Session): Promise<DeviceKey> {
  let key = (await loadDeviceKey(session.userId)) ?? (await createDeviceKey(session.userId));
  if (key.deviceId !== null) {
    const { devices } = await api.devices(session.token);
    const mine = devices.find((device) => device.id === key.deviceId);
    if (mine && mine.revokedAt === null) return key;
    key = await createDeviceKey(session.userId);
  }
  for (let attempt = 0; ; attempt += 1) {
    const proof = await deviceSigner(key).sign(
      deviceRegistrationMessage(session.userId, key.publicKey),
    );
    try {
      const device = await api.registerDevice(session.token, {
        publicKey: toBase64url(key.publicKey),
        proof: toBase64url(proof),
        label: deviceLabel(),
      });
      key = { ...key, deviceId: device.id };
      await putItem('keys', key);
      return key;
    } catch (error) {
      // The key is burnt at the server (revoked): a new one, once.
      if (error instanceof ApiError && error.code === 'device_key_in_use' && attempt === 0) {
        key = await createDeviceKey(session.userId);
        continue;
      }
      throw error;
    }
  }
}

/** A short label the buyer recognises in the device list: the browser and its platform. */
function deviceLabel(): string {
  const agent = navigator.userAgent;
  const browser = /Edg\//.test(agent)
    ? 'Edge'
    : /Chrome\//.test(agent)
      ? 'Chrome'
      : /Firefox\//.test(agent)
        ? 'Firefox'
        : /Safari\//.test(agent)
          ? 'Safari'
          : 'Browser';
  const platform = /Android/.test(agent)
    ? 'Android'
    : /iPhone|iPad/.test(agent)
      ? 'iOS'
      : /Windows/.test(agent)
        ? 'Windows'
        : /Mac OS/.test(agent)
          ? 'macOS'
          : /Linux/.test(agent)
            ? 'Linux'
            : '';
  return `Tessera on ${browser}${platform ? ` (${platform})` : ''}`;
}

/** A short, human-checkable fingerprint of the public key (not a secret). */
export function keyFingerprint(publicKey: Uint8Array): string {
  return toBase64url(publicKey).slice(0, 8);
}
