/** The events screens (scaffold: the feature's own screens replace this list). */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

export const routes: ConsoleRoute[] = [
  {
    path: '/events',
    screen: lazy(() => import('./home.tsx')),
    permission: 'view_organizer',
    nav: { label: 'events.title', order: 10 },
  },
];
