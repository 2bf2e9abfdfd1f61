/**
 * The server's staff roles (services/ticketing/src/identity/roles.ts), their names on screen and
 * one line each on what the role may do. The lines follow the server's permission table; the
 * server stays the authority (a call a role may not make is refused with 403 whatever is shown).
 */
import type { MessageKey } from '../i18n.ts';

export const staffRoles = ['owner', 'manager', 'box_office', 'gate'] as const;
export type StaffRole = (typeof staffRoles)[number];

export function isStaffRole(role: string): role is StaffRole {
  return (staffRoles as readonly string[]).includes(role);
}

export function roleKey(role: string): MessageKey {
  switch (role) {
    case 'owner':
      return 'organizations.role.owner';
    case 'manager':
      return 'organizations.role.manager';
    case 'box_office':
      return 'organizations.role.box_office';
    default:
      return 'organizations.role.gate';
  }
}

/** What the role may do, in one line (owner: everything; manager: all but staff, wallet, keys…). */
export function roleSummaryKey(role: StaffRole): MessageKey {
  switch (role) {
    case 'owner':
      return 'organizations.roleSummary.owner';
    case 'manager':
      return 'organizations.roleSummary.manager';
    case 'box_office':
      return 'organizations.roleSummary.box_office';
    case 'gate':
      return 'organizations.roleSummary.gate';
  }
}
