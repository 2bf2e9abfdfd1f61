/** Every feature's routes, in registration order (docs/architecture.md maps URLs to folders). */
import { admissionRoutes } from './admission/routes.ts';
import { afterSaleRoutes } from './after-sale/routes.ts';
import { availabilityRoutes } from './availability/routes.ts';
import { checkinRoutes } from './checkin/routes.ts';
import { doorSaleRoutes } from './door-sales/routes.ts';
import { eventRoutes } from './events/routes.ts';
import { holdRoutes } from './holds/routes.ts';
import type { RoutePlugin } from './http.ts';
import { identityRoutes } from './identity/routes.ts';
import { orderRoutes, webhookRoutes } from './orders/routes.ts';
import { organizerRoutes } from './organizers/routes.ts';
import { reportRoutes } from './reports/routes.ts';
import { terminalRoutes } from './terminals/routes.ts';
import { ticketRoutes } from './tickets/routes.ts';
import { venueRoutes } from './venues/routes.ts';

export const allRoutes: readonly RoutePlugin[] = [
  identityRoutes,
  organizerRoutes,
  holdRoutes,
  orderRoutes,
  ticketRoutes,
  webhookRoutes,
  venueRoutes,
  eventRoutes,
  availabilityRoutes,
  afterSaleRoutes,
  reportRoutes,
  terminalRoutes,
  admissionRoutes,
  doorSaleRoutes,
  checkinRoutes,
];
