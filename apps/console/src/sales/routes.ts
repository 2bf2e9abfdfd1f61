/** The sales screens: every event's sales at a glance, and one event's sales, orders and refunds. */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

export const routes: ConsoleRoute[] = [
  {
    path: '/sales',
    screen: lazy(() => import('./home.tsx')),
    permission: 'view_sales',
    nav: { label: 'sales.title', order: 20 },
  },
  {
    path: '/events/:eventId/sales',
    screen: lazy(() => import('./event.tsx')),
    permission: 'view_sales',
  },
];
