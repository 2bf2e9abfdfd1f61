/** The sales screens (scaffold: the feature's own screens replace this list). */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

export const routes: ConsoleRoute[] = [
  {
    path: '/sales',
    screen: lazy(() => import('./home.tsx')),
    permission: 'view_organizer',
    nav: { label: 'sales.title', order: 20 },
  },
];
