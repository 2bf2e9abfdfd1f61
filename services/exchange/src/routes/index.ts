/** Every route module of the exchange, in registration order. */
import type { App } from '../app.ts';
import type { Exchange } from '../context.ts';
import { accountRoutes } from './accounts.ts';
import { fiatRoutes } from './fiat.ts';
import { notificationRoutes } from './notifications.ts';
import { paymentRoutes } from './payments.ts';
import { tradingRoutes } from './trading.ts';
import { walletRoutes } from './wallet.ts';

export const allRoutes: ReadonlyArray<(app: App, exchange: Exchange) => void | Promise<void>> = [
  accountRoutes,
  walletRoutes,
  paymentRoutes,
  fiatRoutes,
  tradingRoutes,
  notificationRoutes,
];
