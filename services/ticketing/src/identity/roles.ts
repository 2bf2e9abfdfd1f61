/**
 * What each staff role may do for its organizer: the one table the server checks
 * (organizers/staff.ts `requireStaff`) and `/v1/me` reports, so the organizer console shows a
 * person only what their role allows without keeping a copy of the rules. It lives with identity
 * because both the account route and the organizer routes read it.
 */
import type { StaffRole } from '../db/schema.ts';

export const permissions = {
  view_organizer: ['owner', 'manager', 'box_office', 'gate'],
  manage_staff: ['owner'],
  link_wallet: ['owner'],
  manage_catalogue: ['owner', 'manager'],
  refund: ['owner', 'manager'],
  view_sales: ['owner', 'manager', 'box_office'],
  sell: ['owner', 'manager', 'box_office'],
  admit: ['owner', 'manager', 'gate'],
} as const satisfies Record<string, readonly StaffRole[]>;

export type Permission = keyof typeof permissions;

/** The permissions `role` holds, in the table's order. */
export function permissionsOf(role: StaffRole): Permission[] {
  return (Object.keys(permissions) as Permission[]).filter((permission) =>
    (permissions[permission] as readonly StaffRole[]).includes(role),
  );
}
