/**
 * The organization's own screens: staff, the exchange wallet, the signing keys. Each needs the
 * permission the server checks for its changes (services/ticketing/src/organizers/routes.ts):
 * staff `manage_staff`; the wallet `link_wallet` (any role may read the link, but the screen's
 * purpose is linking and the merchant's balances); keys `manage_staff`, which the server asks
 * for rotating and retiring. All three are the owner's today.
 */
import { lazy } from 'react';
import type { ConsoleRoute } from '../shell/routes.ts';

export const routes: ConsoleRoute[] = [
  {
    path: '/staff',
    screen: lazy(() => import('./staff.tsx')),
    permission: 'manage_staff',
    nav: { label: 'organizations.staff.title', order: 80 },
  },
  {
    path: '/wallet',
    screen: lazy(() => import('./wallet.tsx')),
    permission: 'link_wallet',
    nav: { label: 'organizations.wallet.title', order: 85 },
  },
  {
    path: '/keys',
    screen: lazy(() => import('./keys.tsx')),
    permission: 'manage_staff',
    nav: { label: 'organizations.keys.title', order: 90 },
  },
];
