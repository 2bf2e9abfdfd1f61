/**
 * Close and reconcile (issue 20 item 4), per performance: reading the report needs view_sales;
 * the close button shows only to roles with manage_catalogue, the permission the server checks.
 */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

export const closingPath = (eventId: string, performanceId: string) =>
  `/events/${encodeURIComponent(eventId)}/performances/${encodeURIComponent(performanceId)}/close`;

export const routes: ConsoleRoute[] = [
  {
    path: '/events/:eventId/performances/:performanceId/close',
    screen: lazy(() => import('./screen.tsx')),
    permission: 'view_sales',
  },
];
