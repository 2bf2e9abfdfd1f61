/**
 * The check-in screens (issue 20 items 2 and 3): pick a performance, its live dashboard and map,
 * its admission log, and one ticket's whole history. All need `view_sales`, the permission the
 * server checks on every check-in route.
 */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

export const routes: ConsoleRoute[] = [
  {
    path: '/checkin',
    screen: lazy(() => import('./pick.tsx')),
    permission: 'view_sales',
    nav: { label: 'checkin.title', order: 45 },
  },
  {
    path: '/checkin/:performanceId',
    screen: lazy(() => import('./dashboard.tsx')),
    permission: 'view_sales',
  },
  {
    path: '/checkin/:performanceId/log',
    screen: lazy(() => import('./log.tsx')),
    permission: 'view_sales',
  },
  {
    path: '/checkin/:performanceId/ticket/:number',
    screen: lazy(() => import('./ticket-link.tsx')),
    permission: 'view_sales',
  },
  {
    path: '/tickets/:ticketId/history',
    screen: lazy(() => import('./ticket-history.tsx')),
    permission: 'view_sales',
  },
];
