/** Every route module of the ticketing server, in registration order. */
import type { RoutePlugin } from '../app.ts';
import { identityRoutes } from './identity.ts';
import { organizerRoutes } from './organizers.ts';

export const allRoutes: readonly RoutePlugin[] = [identityRoutes, organizerRoutes];
