/** The server's staff roles (services/ticketing/src/identity/roles.ts) and their names on screen. */
import type { MessageKey } from '../i18n.ts';

export const staffRoles = ['owner', 'manager', 'box_office', 'gate'] as const;
export type StaffRole = (typeof staffRoles)[number];

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
