/** The venues screens (scaffold: the feature's own screens replace this list). */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

export const routes: ConsoleRoute[] = [
  {
    path: '/venues',
    screen: lazy(() => import('./home.tsx')),
    permission: 'view_organizer',
    nav: { label: 'venues.title', order: 30 },
  },
];
