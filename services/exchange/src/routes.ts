/** Every feature's routes, in registration order (docs/architecture.md maps URLs to folders). */
import { accountRoutes } from './accounts/routes.ts';
import { buyPageRoutes } from './buy-page/routes.ts';
import { fiatRoutes } from './fiat/routes.ts';
import type { RoutePlugin } from './http.ts';
import { walletRoutes } from './ledger/routes.ts';
import { notificationRoutes } from './notifications/routes.ts';
import { paymentRoutes } from './payments/routes.ts';
import { tradingRoutes } from './trading/routes.ts';

export const allRoutes: readonly RoutePlugin[] = [
  accountRoutes,
  walletRoutes,
  paymentRoutes,
  fiatRoutes,
  tradingRoutes,
  buyPageRoutes,
  notificationRoutes,
];
