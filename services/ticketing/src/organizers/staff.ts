/**
 * Access for organizer staff: what each role may do (`permissions`), and the checks routes of
 * every folder make before acting for an organizer. An organizer the caller has no role at
 * answers 404, so staff of one organizer cannot learn which ids exist at another.
 */
import { ApiError, forbidden, notFound } from '@tessera/service-kit/errors';
import type { Ticketing } from '../context.ts';
import type { StaffRole } from '../db/schema.ts';
import { type Permission, permissions } from '../identity/roles.ts';
import { authenticate, type Principal, requireUser } from '../identity/service.ts';
import { organizerExists, staffRoleOf } from './repository.ts';

/** The caller of a public route, when it sent a token (staff see drafts there). */
export async function optionalCaller(
  ticketing: Ticketing,
  authorization: string | undefined,
): Promise<Principal | undefined> {
  return authorization ? authenticate(ticketing, authorization) : undefined;
}

/** Whether the caller has any role at the organizer (or is the operator). */
export async function isStaffOf(
  ticketing: Ticketing,
  principal: Principal | undefined,
  organizerId: string,
): Promise<boolean> {
  if (!principal) return false;
  if (principal.type === 'operator') return true;
  return (await staffRoleOf(ticketing.database.db, organizerId, principal.id)) !== undefined;
}

/** Reading the catalogue is open to every staff role (gate staff need venues and events too). */
export async function requireAnyStaff(
  ticketing: Ticketing,
  principal: Principal | undefined,
  organizerId: string,
) {
  if (principal?.type !== 'operator') requireUser(principal);
  if (!(await isStaffOf(ticketing, principal, organizerId))) throw notFound('organizer');
  await requireOrganizer(ticketing, organizerId);
}

async function requireOrganizer(ticketing: Ticketing, organizerId: string) {
  if (!(await organizerExists(ticketing.database.db, organizerId))) throw notFound('organizer');
}

/**
 * `requireStaff` for a resource found by its own id: staff of another organizer learn only
 * that the resource does not exist.
 */
export async function requireStaffFor(
  ticketing: Ticketing,
  principal: Principal | undefined,
  organizerId: string,
  what: string,
) {
  try {
    await requireStaff(ticketing, principal, organizerId, 'manage_catalogue');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) throw notFound(what);
    throw error;
  }
}

export { type Permission, permissions } from '../identity/roles.ts';

/**
 * The caller's role at the organizer if it allows `permission`; the platform operator may do
 * everything. An organizer the caller has no role at answers 404, not 403, so staff of one
 * organizer cannot even learn which ids exist at another.
 */
export async function requireStaff(
  ticketing: Ticketing,
  principal: Principal | undefined,
  organizerId: string,
  permission: Permission,
): Promise<StaffRole | 'operator'> {
  if (principal?.type === 'operator') return 'operator';
  const user = requireUser(principal);
  const role = await staffRoleOf(ticketing.database.db, organizerId, user.id);
  if (!role) throw notFound('organizer');
  if (!(permissions[permission] as readonly StaffRole[]).includes(role)) {
    throw forbidden(`the ${role} role may not ${permission.replace('_', ' ')}`);
  }
  return role;
}
