/** The events screens: the list (the organizer's home), a new event, an event. */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

export const routes: ConsoleRoute[] = [
  {
    path: '/events',
    screen: lazy(() => import('./list.tsx')),
    permission: 'view_organizer',
    nav: { label: 'events.title', order: 10 },
  },
  // Before `/events/:eventId`, which would take "new" for an id.
  {
    path: '/events/new',
    screen: lazy(() => import('./new.tsx')),
    permission: 'manage_catalogue',
  },
  {
    path: '/events/:eventId',
    screen: lazy(() => import('./event.tsx')),
    permission: 'view_organizer',
  },
];
