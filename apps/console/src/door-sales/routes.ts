/**
 * Door sales (issue 20 item 5), per performance: reading the settings and the sales needs
 * view_sales; the settings form saves only for roles with manage_catalogue (the server's check).
 */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

export const doorSalesPath = (eventId: string, performanceId: string) =>
  `/events/${encodeURIComponent(eventId)}/performances/${encodeURIComponent(performanceId)}/door-sales`;

export const routes: ConsoleRoute[] = [
  {
    path: '/events/:eventId/performances/:performanceId/door-sales',
    screen: lazy(() => import('./screen.tsx')),
    permission: 'view_sales',
  },
];
