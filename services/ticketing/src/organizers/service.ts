/**
 * Organizers and their staff: creating an organizer (its owner, its phone-tag secret and its
 * first signing key, in one transaction), reading one with its wallet link and keys, and giving
 * or taking away staff roles while an organizer always keeps an owner.
 */
import { ApiError, badRequest, conflict, notFound } from '@tessera/service-kit/errors';
import { inTransaction, type Ticketing, type Trx, type Work } from '../context.ts';
import type { StaffRole } from '../db/schema.ts';
import { type Principal, requireUser, userForPhone } from '../identity/service.ts';
import { newId } from '../ids.ts';
import { addSigningKey, newPhoneTagSecret } from './keys.ts';
import {
  deleteStaff,
  insertOrganizer,
  insertStaff,
  type OrganizerRecord,
  organizerById,
  ownerCount,
  type StaffMemberRecord,
  signingKeysOf,
  staffMemberByPhone,
  staffOf,
  staffRoleOf,
  upsertStaffRole,
  walletLinkSummaryOf,
} from './repository.ts';

// ---------------------------------------------------------------------------------------------
// Organizers

export interface OrganizerOnRecord {
  readonly organizer: OrganizerRecord;
  readonly wallet: Awaited<ReturnType<typeof walletLinkSummaryOf>>;
  readonly keys: Awaited<ReturnType<typeof signingKeysOf>>;
}

/** The organizer with its wallet link (if any) and its signing keys; 404 if there is none. */
export async function organizerOnRecord(
  ticketing: Ticketing,
  organizerId: string,
): Promise<OrganizerOnRecord> {
  const db = ticketing.database.db;
  const organizer = await organizerById(db, organizerId);
  if (!organizer) throw notFound('organizer');
  const wallet = await walletLinkSummaryOf(db, organizerId);
  const keys = await signingKeysOf(db, organizerId);
  return { organizer, wallet, keys };
}

/** A new organizer owned by `ownerId`, with its phone-tag secret and first signing key. */
export async function addOrganizer(
  ticketing: Ticketing,
  { trx, now }: Work,
  organizer: { id: string; name: string; ownerId: string },
): Promise<void> {
  const { id, name, ownerId } = organizer;
  await insertOrganizer(trx, {
    id,
    name,
    phone_tag_secret: newPhoneTagSecret(ticketing, id),
    created_at: now,
  });
  await insertStaff(trx, { organizer_id: id, user_id: ownerId, role: 'owner', created_at: now });
  await addSigningKey(ticketing, trx, id, now);
}

/**
 * Creates an organizer for the caller, who becomes its owner; the platform operator names the
 * owner's phone instead. Any signed-in user only with open sign-up, in development.
 */
export async function createOrganizer(
  ticketing: Ticketing,
  caller: Principal | undefined,
  input: { name: string; ownerPhone?: string | undefined },
): Promise<OrganizerOnRecord> {
  const ownerId = await ownerOfNewOrganizer(ticketing, caller, input.ownerPhone);
  const id = newId('org');
  await inTransaction(ticketing, (work) =>
    addOrganizer(ticketing, work, { id, name: input.name, ownerId }),
  );
  return organizerOnRecord(ticketing, id);
}

async function ownerOfNewOrganizer(
  ticketing: Ticketing,
  principal: Principal | undefined,
  ownerPhone: string | undefined,
): Promise<string> {
  if (principal?.type === 'operator') {
    if (!ownerPhone) throw badRequest('owner_required', 'the operator must name ownerPhone');
    return (await userForPhone(ticketing, ownerPhone)).id;
  }
  const user = requireUser(principal);
  // Development only: the configuration refuses it in production, and it is checked here again.
  const { openOrganizerSignup, environment } = ticketing.config;
  if (!openOrganizerSignup || environment === 'production') {
    throw new ApiError(
      403,
      'organizer_signup_closed',
      'organizers are created by the platform operator on this server',
    );
  }
  if (ownerPhone && ownerPhone !== user.phone) {
    throw badRequest('owner_is_caller', 'ownerPhone is for the operator; you become the owner');
  }
  return user.id;
}

// ---------------------------------------------------------------------------------------------
// Staff

export function staffOfOrganizer(
  ticketing: Ticketing,
  organizerId: string,
): Promise<StaffMemberRecord[]> {
  return staffOf(ticketing.database.db, organizerId);
}

export interface StaffMember {
  readonly userId: string;
  readonly phone: string;
  readonly firstName: string | null;
  readonly role: StaffRole;
  readonly createdAt: number;
}

/**
 * Gives the phone's user `role` at the organizer (creating the user if the number never signed
 * in). The last owner cannot be made anything else (409 last_owner).
 */
export async function setStaffRole(
  ticketing: Ticketing,
  organizerId: string,
  phone: string,
  role: StaffRole,
): Promise<StaffMember> {
  const user = await userForPhone(ticketing, phone);
  const now = ticketing.clock.now();
  await inTransaction(ticketing, async ({ trx }) => {
    const current = await staffRoleOf(trx, organizerId, user.id);
    if (current === 'owner' && role !== 'owner') await keepAnOwner(trx, organizerId);
    await upsertStaffRole(trx, {
      organizer_id: organizerId,
      user_id: user.id,
      role,
      created_at: now,
    });
  });
  return { userId: user.id, phone, firstName: user.first_name, role, createdAt: now };
}

/** Takes away the phone's role at the organizer; 404 if it has none, 409 for the last owner. */
export async function removeStaff(
  ticketing: Ticketing,
  organizerId: string,
  phone: string,
): Promise<void> {
  await inTransaction(ticketing, async ({ trx }) => {
    const member = await staffMemberByPhone(trx, organizerId, phone);
    if (!member) throw notFound('staff member');
    if (member.role === 'owner') await keepAnOwner(trx, organizerId);
    await deleteStaff(trx, organizerId, member.user_id);
  });
}

/** An organizer always keeps at least one owner, or nobody could manage it again. */
async function keepAnOwner(trx: Trx, organizerId: string) {
  if ((await ownerCount(trx, organizerId)) <= 1)
    throw conflict('last_owner', 'an organizer must keep at least one owner');
}
