/**
 * The venues screens: the list, creating and editing a venue (its geofence and time zone), and
 * its seat map (the editor, read-only for roles that only view).
 */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

const venueForm = lazy(() => import('./venue-form.tsx'));

export const routes: ConsoleRoute[] = [
  {
    path: '/venues',
    screen: lazy(() => import('./home.tsx')),
    permission: 'view_organizer',
    nav: { label: 'venues.title', order: 30 },
  },
  // Before `/venues/:venueId`, which would take "new" for an id.
  { path: '/venues/new', screen: venueForm, permission: 'manage_catalogue' },
  {
    path: '/venues/:venueId/seat-map',
    screen: lazy(() => import('./seat-map-screen.tsx')),
    permission: 'view_organizer',
  },
  { path: '/venues/:venueId', screen: venueForm, permission: 'manage_catalogue' },
];
