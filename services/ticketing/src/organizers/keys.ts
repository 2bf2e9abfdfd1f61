/**
 * Unit 110, transmission ticket generation: each organizer's Ed25519 signing keys (several may be
 * valid at once so keys can rotate; new tickets use the newest active one) and the secret behind
 * the phone tags of its credentials. Seeds and secrets are sealed at rest under the server's
 * secret key and bound to their organizer, so a row copied to another organizer does not open.
 */

import { randomBytes } from 'node:crypto';
import { type Ed25519Signer, fromBase64url, toBase64url, toHex } from '@tessera/protocol';
import { conflict, notFound } from '@tessera/service-kit/errors';
import { openSecret, sealSecret } from '@tessera/service-kit/secret-box';
import { inTransaction, type Ticketing, type Trx } from '../context.ts';
import { newId } from '../ids.ts';
import {
  activeKeyIds,
  insertSigningKey,
  lockOrganizerKeys,
  markKeyRetired,
  newestActiveKey,
  type SigningKeyRecord,
  sealedPhoneTagSecretOf,
  signingKeyById,
} from './repository.ts';

export interface OrganizerSigner {
  readonly keyRowId: string;
  readonly keyIdHex: string;
  readonly signer: Ed25519Signer;
  readonly phoneTagSecret: Uint8Array;
}

const sealContext = (organizerId: string, purpose: string) => `${purpose}:${organizerId}`;

export function newPhoneTagSecret(ticketing: Ticketing, organizerId: string) {
  return sealSecret(
    ticketing.config.secretKeys,
    toBase64url(randomBytes(32)),
    sealContext(organizerId, 'phone-tag-secret'),
  );
}

/** Makes a new active signing key for the organizer; older keys stay valid until retired. */
export async function addSigningKey(
  ticketing: Ticketing,
  trx: Trx,
  organizerId: string,
  now: number,
) {
  const seed = randomBytes(32);
  const signer = await ticketing.protocol.signerFromSeed(seed);
  const keyId = toHex(await ticketing.protocol.keyIdFor(signer.publicKey));
  const row = {
    id: newId('key'),
    organizer_id: organizerId,
    public_key: toBase64url(signer.publicKey),
    key_id: keyId,
    seed: sealSecret(
      ticketing.config.secretKeys,
      toBase64url(seed),
      sealContext(organizerId, 'signing-seed'),
    ),
    status: 'active' as const,
    created_at: now,
    retired_at: null,
  };
  await insertSigningKey(trx, row);
  return { id: row.id, keyId, publicKey: row.public_key };
}

/**
 * Rotation: a new active key for the organizer, committed; new tickets are signed with it. The
 * caller forgets the cached signers and keyrings before answering.
 */
export async function rotateSigningKey(ticketing: Ticketing, organizerId: string) {
  const now = ticketing.clock.now();
  const key = await inTransaction(ticketing, async ({ trx }) => {
    // The operator passes the staff check for any organizer id: one that names nothing is a
    // 404 here, not a foreign-key failure at the insert.
    if (!(await lockOrganizerKeys(trx, ticketing.database.dialect, organizerId)))
      throw notFound('organizer');
    return addSigningKey(ticketing, trx, organizerId, now);
  });
  return { ...key, createdAt: now };
}

/**
 * Retires one of the organizer's active keys, committed: tickets it signed stop verifying. The
 * last active key cannot be retired (409 last_key), also when retirements race. The caller forgets the cached signers and
 * keyrings before answering.
 */
export async function retireSigningKey(ticketing: Ticketing, organizerId: string, keyId: string) {
  const now = ticketing.clock.now();
  await inTransaction(ticketing, async ({ trx }) => {
    // Under the organizer's row lock: concurrent retirements read the active keys one at a time,
    // so the last one is refused however many arrive together.
    if (!(await lockOrganizerKeys(trx, ticketing.database.dialect, organizerId)))
      throw notFound('organizer');
    const active = await activeKeyIds(trx, organizerId);
    if (!active.includes(keyId)) throw notFound('active signing key');
    if (active.length === 1)
      throw conflict('last_key', 'add a new key before retiring the last one');
    await markKeyRetired(trx, keyId, now);
  });
}

/** A signing key as it is recorded now (its seed stays sealed). */
export function signingKeyOnRecord(ticketing: Ticketing, keyId: string): Promise<SigningKeyRecord> {
  return signingKeyById(ticketing.database.db, keyId);
}

/**
 * Unsealed signers, kept a minute. Adding or retiring a key forgets them on every instance
 * before the answer (`forgetSigner`).
 */
const signerTtlMs = 60_000;

function signerCache(ticketing: Ticketing) {
  return ticketing.caches.cache<OrganizerSigner>(
    'signers',
    { ttlMs: signerTtlMs, max: 10_000 },
    (organizerId) => loadSigner(ticketing, organizerId),
  );
}

/** Forget cached signers (after a rotation or retirement), on every instance. */
export function forgetSigner(ticketing: Ticketing, organizerId: string): Promise<void> {
  return signerCache(ticketing).invalidate(organizerId);
}

/** The organizer's newest active key and its phone-tag secret, unsealed once a minute. */
export async function signerFor(
  ticketing: Ticketing,
  organizerId: string,
): Promise<OrganizerSigner> {
  return (await signerCache(ticketing).get(organizerId)) as OrganizerSigner;
}

async function loadSigner(ticketing: Ticketing, organizerId: string): Promise<OrganizerSigner> {
  const db = ticketing.database.db;
  const key = await newestActiveKey(db, organizerId);
  const phoneTagSecret = await sealedPhoneTagSecretOf(db, organizerId);
  const { secretKeys } = ticketing.config;
  const seed = fromBase64url(
    openSecret(secretKeys, key.seed, sealContext(organizerId, 'signing-seed')),
  );
  return {
    keyRowId: key.id,
    keyIdHex: key.key_id,
    signer: await ticketing.protocol.signerFromSeed(seed),
    phoneTagSecret: fromBase64url(
      openSecret(secretKeys, phoneTagSecret, sealContext(organizerId, 'phone-tag-secret')),
    ),
  };
}

/** Seals a ticket's manual-code PIN at rest, bound to the ticket. */
export const sealPin = (ticketing: Ticketing, ticketId: string, pin: string) =>
  sealSecret(ticketing.config.secretKeys, pin, `pin:${ticketId}`);

export const openPin = (ticketing: Ticketing, ticketId: string, sealed: string) =>
  openSecret(ticketing.config.secretKeys, sealed, `pin:${ticketId}`);
