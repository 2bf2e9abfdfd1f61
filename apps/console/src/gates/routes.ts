/**
 * The gates screen (issue 20 item 1): enrolment codes and the terminals. Both need `admit`, the
 * permission the server checks for enrolling, renaming and revoking.
 */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

export const routes: ConsoleRoute[] = [
  {
    path: '/gates',
    screen: lazy(() => import('./screen.tsx')),
    permission: 'admit',
    nav: { label: 'gates.title', order: 40 },
  },
];
