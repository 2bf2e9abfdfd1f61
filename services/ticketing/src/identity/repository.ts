/**
 * The SQL of identity: users, sessions (only the SHA-256 of a token is stored), devices and the
 * terminal credentials authentication looks up. The two lookups made on every request
 * (`terminalLookup`, `sessionLookup`) are prepared statements that run without building a query.
 */
import { type Dialect, Statement } from '@tessera/db';
import type { Trx } from '../context.ts';
import type { DevicesTable, SessionsTable, StaffRole, UsersTable } from '../db/schema.ts';
import { storedIdList } from '../db/stored-json.ts';
import type { TerminalPrincipal, UserPrincipal } from './principal.ts';

export type UserRecord = UsersTable;
export type DeviceRecord = DevicesTable;
export type SessionRecord = SessionsTable;

// ---------------------------------------------------------------------------------------------
// Authentication lookups (every request)

interface TerminalRow {
  id: string;
  organizer_id: string;
  venue_id: string;
  gate: string;
  name: string;
  performance_ids: string;
}

const terminalLookup = new Statement<TerminalRow>(
  `select id, organizer_id, venue_id, gate, name, performance_ids from terminals
   where token_hash = ? and revoked_at is null`,
);

function terminalPrincipal(terminal: TerminalRow): TerminalPrincipal {
  return {
    type: 'terminal',
    id: terminal.id,
    organizerId: terminal.organizer_id,
    venueId: terminal.venue_id,
    gate: terminal.gate,
    name: terminal.name,
    performanceIds: storedIdList(terminal.performance_ids, 'terminals.performance_ids'),
  };
}

/** The terminal whose credential hashes to `tokenHash`, unless it was revoked. */
export async function activeTerminalByTokenHash(
  db: Trx,
  dialect: Dialect,
  tokenHash: string,
): Promise<TerminalPrincipal | undefined> {
  const terminal = await terminalLookup.first(db, dialect, [tokenHash]);
  return terminal ? terminalPrincipal(terminal) : undefined;
}

const terminalByIdLookup = new Statement<TerminalRow>(
  `select id, organizer_id, venue_id, gate, name, performance_ids from terminals
   where id = ? and revoked_at is null`,
);

/** The terminal of this id, unless it was revoked (a feed ticket names it). */
export async function activeTerminalById(
  db: Trx,
  dialect: Dialect,
  terminalId: string,
): Promise<TerminalPrincipal | undefined> {
  const terminal = await terminalByIdLookup.first(db, dialect, [terminalId]);
  return terminal ? terminalPrincipal(terminal) : undefined;
}

const sessionLookup = new Statement<{ id: string; phone: string; expires_at: number }>(
  `select u.id, u.phone, s.expires_at from sessions s join users u on u.id = s.user_id
   where s.token_hash = ? and s.revoked_at is null and s.expires_at > ?`,
);

export interface LiveSession {
  readonly principal: UserPrincipal;
  readonly expiresAt: number;
}

/** The session whose token hashes to `tokenHash`, if it is neither revoked nor expired at `now`. */
export async function liveSessionByTokenHash(
  db: Trx,
  dialect: Dialect,
  tokenHash: string,
  now: number,
): Promise<LiveSession | undefined> {
  const row = await sessionLookup.first(db, dialect, [tokenHash, now]);
  if (!row) return undefined;
  return {
    principal: { type: 'user', id: row.id, phone: row.phone },
    expiresAt: Number(row.expires_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Users and sessions

export function userByPhone(db: Trx, phone: string): Promise<UserRecord | undefined> {
  return db.selectFrom('users').selectAll().where('phone', '=', phone).executeTakeFirst();
}

/** The user with this phone; throws when there is none. */
export function userWithPhone(db: Trx, phone: string): Promise<UserRecord> {
  return db.selectFrom('users').selectAll().where('phone', '=', phone).executeTakeFirstOrThrow();
}

/** The user with this id; throws when there is none. */
export function userWithId(db: Trx, userId: string): Promise<UserRecord> {
  return db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow();
}

/** Inserts the user unless its phone is already taken (by a concurrent first sight). */
export async function insertUserUnlessPhoneTaken(db: Trx, row: UserRecord): Promise<void> {
  await db
    .insertInto('users')
    .values(row)
    .onConflict((conflict) => conflict.column('phone').doNothing())
    .execute();
}

/** Records a sign-in: when the phone was first proved, and the first name if one was given. */
export async function updateSignedInUser(
  db: Trx,
  userId: string,
  verifiedAt: number,
  firstName: string | undefined,
): Promise<void> {
  await db
    .updateTable('users')
    .set({
      verified_at: verifiedAt,
      ...(firstName !== undefined ? { first_name: firstName } : {}),
    })
    .where('id', '=', userId)
    .execute();
}

export async function insertSession(db: Trx, row: SessionRecord): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export async function revokeSessionByTokenHash(
  db: Trx,
  tokenHash: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('token_hash', '=', tokenHash)
    .execute();
}

/** An organizer a user works for, and the user's role there. */
export interface RoleAtOrganizer {
  readonly id: string;
  readonly name: string;
  readonly role: StaffRole;
}

/** The organizers the user has a staff role at, by name. */
export function rolesOfUser(db: Trx, userId: string): Promise<RoleAtOrganizer[]> {
  return db
    .selectFrom('staff as s')
    .innerJoin('organizers as o', 'o.id', 's.organizer_id')
    .select(['o.id', 'o.name', 's.role'])
    .where('s.user_id', '=', userId)
    .orderBy('o.name')
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Devices

export function deviceByPublicKey(db: Trx, publicKey: string): Promise<DeviceRecord | undefined> {
  return db
    .selectFrom('devices')
    .selectAll()
    .where('public_key', '=', publicKey)
    .executeTakeFirst();
}

export async function insertDevice(db: Trx, row: DeviceRecord): Promise<void> {
  await db.insertInto('devices').values(row).execute();
}

/** The user's devices, revoked ones included, oldest first. */
export function devicesOfUser(db: Trx, userId: string): Promise<DeviceRecord[]> {
  return db
    .selectFrom('devices')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

export function deviceOfUser(
  db: Trx,
  userId: string,
  deviceId: string,
): Promise<DeviceRecord | undefined> {
  return db
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', deviceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** Revokes the user's device unless it already was. */
export async function revokeDeviceOfUser(
  db: Trx,
  userId: string,
  deviceId: string,
  now: number,
): Promise<void> {
  await db
    .updateTable('devices')
    .set({ revoked_at: now })
    .where('id', '=', deviceId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

export interface DeviceKey {
  readonly id: string;
  /** Raw Ed25519 public key, base64url. */
  readonly public_key: string;
}

/** The key of one of the user's devices that is not revoked. */
export function liveDeviceKey(
  db: Trx,
  userId: string,
  deviceId: string,
): Promise<DeviceKey | undefined> {
  return db
    .selectFrom('devices')
    .select(['id', 'public_key'])
    .where('id', '=', deviceId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}
