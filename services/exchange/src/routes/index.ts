/** Every route module of the exchange, in registration order. */
import type { App } from '../app.ts';
import type { Exchange } from '../context.ts';
import { accountRoutes } from './accounts.ts';
import { paymentRoutes } from './payments.ts';
import { walletRoutes } from './wallet.ts';

export const allRoutes: ReadonlyArray<(app: App, exchange: Exchange) => void | Promise<void>> = [
  accountRoutes,
  walletRoutes,
  paymentRoutes,
];
