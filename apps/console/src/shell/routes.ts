/**
 * The shape of a feature's screens: each feature lists its routes (`<feature>/routes.ts`) under
 * an organizer (`/o/:organizerId` + path), the permission a screen needs (the server's role
 * table, `/v1/me`), and where it sits in the side navigation. Screens load lazily, so the first
 * page downloads the shell and one feature, not the whole console.
 */
import type { ComponentType, LazyExoticComponent } from 'react';
import type { MessageKey } from '../i18n.ts';
import type { Permission } from '../session.tsx';

export interface ConsoleRoute {
  /** Under `/o/:organizerId`: `/venues/:venueId`. */
  path: string;
  screen: LazyExoticComponent<ComponentType>;
  /** The screen is shown (and listed) only to roles with this permission. */
  permission: Permission;
  /** Listed in the side navigation, in `order`. */
  nav?: { label: MessageKey; order: number };
}

/** The address of a screen of organizer `organizerId`. */
export function organizerPath(organizerId: string, path = ''): string {
  return `/o/${encodeURIComponent(organizerId)}${path}`;
}
