/** Every route module of the ticketing server, in registration order. */
import type { RoutePlugin } from '../app.ts';
import { afterSaleRoutes } from './after-sale.ts';
import { availabilityRoutes } from './availability.ts';
import { catalogueRoutes } from './catalogue.ts';
import { doorSaleRoutes } from './door-sales.ts';
import { gateCloseRoutes } from './gate-close.ts';
import { gatePackageRoutes } from './gate-package.ts';
import { gateRoutes } from './gates.ts';
import { identityRoutes } from './identity.ts';
import { organizerRoutes } from './organizers.ts';
import { reportRoutes } from './reports.ts';
import { salesRoutes } from './sales.ts';
import { ticketRoutes } from './tickets.ts';
import { webhookRoutes } from './webhooks.ts';

export const allRoutes: readonly RoutePlugin[] = [
  identityRoutes,
  organizerRoutes,
  salesRoutes,
  ticketRoutes,
  webhookRoutes,
  catalogueRoutes,
  availabilityRoutes,
  afterSaleRoutes,
  reportRoutes,
  gateRoutes,
  gatePackageRoutes,
  gateCloseRoutes,
  doorSaleRoutes,
];
