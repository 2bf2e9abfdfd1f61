/** The organization's own screens: staff, wallet, keys (scaffold until they land). */
import type { ConsoleRoute } from '../shell/routes.ts';

export const routes: ConsoleRoute[] = [];
