/**
 * The SQL of organizers: the organizers themselves, their staff and roles, their signing keys
 * (sealed seeds) and the link to their exchange wallet (sealed API key and webhook secret).
 */
import type { Dialect } from '@tessera/db';
import type { Trx } from '../context.ts';
import { forUpdateOn } from '../db/query.ts';
import type {
  OrganizerKeysTable,
  OrganizersTable,
  StaffRole,
  StaffTable,
  WalletLinksTable,
} from '../db/schema.ts';

export type OrganizerRecord = OrganizersTable;
export type SigningKeyRecord = OrganizerKeysTable;
export type WalletLinkRecord = WalletLinksTable;

// ---------------------------------------------------------------------------------------------
// Organizers

export function organizerById(db: Trx, organizerId: string): Promise<OrganizerRecord | undefined> {
  return db.selectFrom('organizers').selectAll().where('id', '=', organizerId).executeTakeFirst();
}

export async function organizerExists(db: Trx, organizerId: string): Promise<boolean> {
  const row = await db
    .selectFrom('organizers')
    .select('id')
    .where('id', '=', organizerId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether the server has any organizer at all (the demo seeds an empty database only). */
export async function anyOrganizerExists(db: Trx): Promise<boolean> {
  return (await db.selectFrom('organizers').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export async function insertOrganizer(trx: Trx, row: OrganizerRecord): Promise<void> {
  await trx.insertInto('organizers').values(row).execute();
}

/** The organizer's sealed phone-tag secret; throws when the organizer does not exist. */
export async function sealedPhoneTagSecretOf(db: Trx, organizerId: string): Promise<string> {
  const organizer = await db
    .selectFrom('organizers')
    .select('phone_tag_secret')
    .where('id', '=', organizerId)
    .executeTakeFirstOrThrow();
  return organizer.phone_tag_secret;
}

// ---------------------------------------------------------------------------------------------
// Staff

/** The user's role at the organizer, if any. */
export async function staffRoleOf(
  db: Trx,
  organizerId: string,
  userId: string,
): Promise<StaffRole | undefined> {
  const row = await db
    .selectFrom('staff')
    .select('role')
    .where('organizer_id', '=', organizerId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role;
}

export interface StaffMemberRecord {
  readonly id: string;
  readonly phone: string;
  readonly first_name: string | null;
  readonly role: StaffRole;
  readonly created_at: number;
}

/** The organizer's staff with their users, in the order they were added. */
export function staffOf(db: Trx, organizerId: string): Promise<StaffMemberRecord[]> {
  return db
    .selectFrom('staff as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['u.id', 'u.phone', 'u.first_name', 's.role', 's.created_at'])
    .where('s.organizer_id', '=', organizerId)
    .orderBy('s.created_at')
    .execute();
}

/** The staff member with this phone at the organizer: its user id and role. */
export function staffMemberByPhone(
  trx: Trx,
  organizerId: string,
  phone: string,
): Promise<{ user_id: string; role: StaffRole } | undefined> {
  return trx
    .selectFrom('staff as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.user_id', 's.role'])
    .where('s.organizer_id', '=', organizerId)
    .where('u.phone', '=', phone)
    .executeTakeFirst();
}

export async function insertStaff(trx: Trx, row: StaffTable): Promise<void> {
  await trx.insertInto('staff').values(row).execute();
}

/** Gives the user `row.role` at the organizer: a new member, or a new role for a member. */
export async function upsertStaffRole(trx: Trx, row: StaffTable): Promise<void> {
  await trx
    .insertInto('staff')
    .values(row)
    .onConflict((c) => c.columns(['organizer_id', 'user_id']).doUpdateSet({ role: row.role }))
    .execute();
}

export async function deleteStaff(trx: Trx, organizerId: string, userId: string): Promise<void> {
  await trx
    .deleteFrom('staff')
    .where('organizer_id', '=', organizerId)
    .where('user_id', '=', userId)
    .execute();
}

export async function ownerCount(trx: Trx, organizerId: string): Promise<number> {
  const owners = await trx
    .selectFrom('staff')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizer_id', '=', organizerId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(owners.count);
}

/** The first organizer the phone's user owns, and that user (the demo's organizer). */
export function firstOrganizerOwnedBy(
  db: Trx,
  phone: string,
): Promise<{ organizer_id: string; user_id: string } | undefined> {
  return db
    .selectFrom('staff as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.organizer_id', 'u.id as user_id'])
    .where('u.phone', '=', phone)
    .where('s.role', '=', 'owner')
    .orderBy('s.created_at')
    .executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// Signing keys

export async function insertSigningKey(trx: Trx, row: SigningKeyRecord): Promise<void> {
  await trx.insertInto('organizer_keys').values(row).execute();
}

/** The organizer's keys, oldest first, without their sealed seeds. */
export function signingKeysOf(
  db: Trx,
  organizerId: string,
): Promise<Omit<SigningKeyRecord, 'organizer_id' | 'seed'>[]> {
  return db
    .selectFrom('organizer_keys')
    .select(['id', 'key_id', 'public_key', 'status', 'created_at', 'retired_at'])
    .where('organizer_id', '=', organizerId)
    .orderBy('created_at')
    .execute();
}

/** The organizer's newest active key with its sealed seed; throws when it has none. */
export function newestActiveKey(
  db: Trx,
  organizerId: string,
): Promise<Pick<SigningKeyRecord, 'id' | 'key_id' | 'seed'>> {
  return db
    .selectFrom('organizer_keys')
    .select(['id', 'key_id', 'seed'])
    .where('organizer_id', '=', organizerId)
    .where('status', '=', 'active')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
}

/**
 * Locks the organizer's row (PostgreSQL) so that changes to its set of keys serialise: two
 * retirements of different keys must not both see the other key still active.
 */
export async function lockOrganizerKeys(
  trx: Trx,
  dialect: Dialect,
  organizerId: string,
): Promise<boolean> {
  const row = await forUpdateOn(
    dialect,
    trx.selectFrom('organizers').select('id').where('id', '=', organizerId),
  ).executeTakeFirst();
  return row !== undefined;
}

/** The row ids of the organizer's active keys. */
export async function activeKeyIds(trx: Trx, organizerId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('organizer_keys')
    .select('id')
    .where('organizer_id', '=', organizerId)
    .where('status', '=', 'active')
    .execute();
  return rows.map((row) => row.id);
}

export async function markKeyRetired(trx: Trx, keyId: string, now: number): Promise<void> {
  await trx
    .updateTable('organizer_keys')
    .set({ status: 'retired', retired_at: now })
    .where('id', '=', keyId)
    .execute();
}

/** The key with this row id; throws when there is none. */
export function signingKeyById(db: Trx, keyId: string): Promise<SigningKeyRecord> {
  return db
    .selectFrom('organizer_keys')
    .selectAll()
    .where('id', '=', keyId)
    .executeTakeFirstOrThrow();
}

// ---------------------------------------------------------------------------------------------
// The linked wallet

export function walletLinkOf(db: Trx, organizerId: string): Promise<WalletLinkRecord | undefined> {
  return db
    .selectFrom('wallet_links')
    .selectAll()
    .where('organizer_id', '=', organizerId)
    .executeTakeFirst();
}

/** The link as the organizer's page shows it: the merchant and when, no secrets. */
export function walletLinkSummaryOf(
  db: Trx,
  organizerId: string,
): Promise<Pick<WalletLinkRecord, 'merchant_id' | 'merchant_name' | 'linked_at'> | undefined> {
  return db
    .selectFrom('wallet_links')
    .select(['merchant_id', 'merchant_name', 'linked_at'])
    .where('organizer_id', '=', organizerId)
    .executeTakeFirst();
}

/** Links the wallet, replacing any earlier link of the organizer. */
export async function upsertWalletLink(db: Trx, row: WalletLinkRecord): Promise<void> {
  await db
    .insertInto('wallet_links')
    .values(row)
    .onConflict((c) =>
      c.column('organizer_id').doUpdateSet({
        merchant_id: row.merchant_id,
        merchant_name: row.merchant_name,
        api_key: row.api_key,
        webhook_secret: row.webhook_secret,
        linked_at: row.linked_at,
      }),
    )
    .execute();
}
