/**
 * Every URL has one home: each route is registered by the `routes.ts` of the feature folder that
 * docs/architecture.md ("Where a URL is handled") names for its path, and every folder named
 * there registers something. The map below is that table; a route added elsewhere, or a folder
 * renamed, fails here until the two agree again.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './source-tree.ts';

/** Path patterns (`*` is one segment) to the folder that handles them; the longest match wins. */
const routeMaps: Record<string, Record<string, string>> = {
  ticketing: {
    '/dev/sms': 'identity',
    '/v1/auth/**': 'identity',
    '/v1/me': 'identity',
    '/v1/me/devices': 'identity',
    '/v1/me/devices/*': 'identity',
    '/v1/me/orders': 'orders',
    '/v1/me/tickets': 'tickets',
    '/v1/me/transfers': 'after-sale',
    '/v1/organizers': 'organizers',
    '/v1/organizers/*': 'organizers',
    '/v1/organizers/*/staff': 'organizers',
    '/v1/organizers/*/staff/*': 'organizers',
    '/v1/organizers/*/wallet': 'organizers',
    '/v1/organizers/*/keys': 'organizers',
    '/v1/organizers/*/keys/*/retire': 'organizers',
    '/v1/organizers/*/venues': 'venues',
    '/v1/venues/*': 'venues',
    '/v1/venues/*/seat-map': 'venues',
    '/v1/organizers/*/events': 'events',
    '/v1/organizers/*/events/by-slug/*': 'events',
    '/v1/events': 'events',
    '/v1/events/*': 'events',
    '/v1/events/*/publish': 'events',
    '/v1/events/*/unpublish': 'events',
    '/v1/events/*/performances': 'events',
    '/v1/performances/*': 'events',
    '/v1/performances/*/availability': 'availability',
    '/v1/performances/*/alternatives': 'availability',
    '/v1/holds': 'holds',
    '/v1/holds/*': 'holds',
    '/v1/orders': 'orders',
    '/v1/orders/*': 'orders',
    '/v1/orders/*/cancel': 'orders',
    '/v1/exchange/webhooks/*': 'orders',
    '/v1/tickets/*': 'tickets',
    '/v1/tickets/*/claim': 'tickets',
    '/v1/tickets/*/transfers': 'after-sale',
    '/v1/tickets/*/reissue': 'after-sale',
    '/v1/tickets/*/refund': 'after-sale',
    '/v1/transfers/*': 'after-sale',
    '/v1/transfers/*/accept': 'after-sale',
    '/v1/transfers/*/decline': 'after-sale',
    '/v1/organizers/*/tickets/*/refund': 'after-sale',
    '/v1/performances/*/cancel': 'after-sale',
    '/v1/performances/*/revocations': 'after-sale',
    '/v1/organizers/*/enrolments': 'terminals',
    '/v1/organizers/*/terminals': 'terminals',
    '/v1/organizers/*/terminals/*': 'terminals',
    '/v1/terminals/enrol': 'terminals',
    '/v1/terminal/**': 'admission',
    '/v1/door-sales/**': 'door-sales',
    '/v1/events/*/sales': 'reports',
    '/v1/events/*/attendees': 'reports',
    '/v1/events/*/orders': 'reports',
    '/v1/performances/*/close': 'reports',
    '/v1/performances/*/gate-report': 'reports',
    '/v1/performances/*/door-sales': 'door-sales',
    '/v1/performances/*/door-sales/settings': 'door-sales',
    '/v1/events/*/sales/timeline': 'reports',
  },
  exchange: {
    '/dev/sms': 'accounts',
    '/v1/auth/**': 'accounts',
    '/v1/subscribers': 'accounts',
    '/v1/me': 'accounts',
    '/v1/merchant/api-keys': 'accounts',
    '/v1/merchant/api-keys/*': 'accounts',
    '/v1/merchant/return-urls': 'accounts',
    '/v1/assets': 'ledger',
    '/v1/wallet': 'ledger',
    '/v1/wallet/**': 'ledger',
    '/v1/transfers': 'payments',
    '/v1/payment-requests': 'payments',
    '/v1/payment-requests/**': 'payments',
    '/v1/deposits': 'fiat',
    '/v1/deposits/**': 'fiat',
    '/v1/withdrawals': 'fiat',
    '/v1/withdrawals/**': 'fiat',
    '/v1/operator/deposits': 'fiat',
    '/v1/operator/deposits/**': 'fiat',
    '/v1/operator/withdrawals': 'fiat',
    '/v1/operator/withdrawals/**': 'fiat',
    '/v1/rates': 'trading',
    '/v1/quotes': 'trading',
    '/v1/quotes/**': 'trading',
    '/v1/buy-page/check': 'buy-page',
    '/v1/buy-page/handoffs': 'buy-page',
    '/v1/buy-page/handoffs/**': 'buy-page',
    '/buy': 'buy-page',
    '/v1/merchant/webhook': 'notifications',
    '/v1/merchant/webhook/**': 'notifications',
    '/v1/notifications': 'notifications',
    '/v1/notifications/**': 'notifications',
  },
};

interface Registered {
  readonly method: string;
  readonly path: string;
  readonly folder: string;
}

/**
 * Runs every routes plugin of a service against a recorder: the plugins only register routes
 * (handlers are not called), so a stand-in for the app and the service context is enough.
 */
async function registeredRoutes(service: string): Promise<Registered[]> {
  const src = join(repoRoot, 'services', service, 'src');
  const routes: Registered[] = [];
  for (const folder of readdirSync(src, { withFileTypes: true })) {
    if (!folder.isDirectory()) continue;
    const file = join(src, folder.name, 'routes.ts');
    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') continue;
      throw error;
    }
    for (const [name, plugin] of Object.entries(module)) {
      if (typeof plugin !== 'function' || !name.endsWith('Routes')) continue;
      const record = (method: string) => (path: string) =>
        routes.push({ method, path, folder: folder.name });
      const app: unknown = new Proxy(
        {},
        {
          get: (_target, property: string) => {
            if (['get', 'post', 'put', 'patch', 'delete'].includes(property)) {
              return record(property.toUpperCase());
            }
            // An encapsulated scope registers its routes on the same recorder.
            if (property === 'register') {
              return (scoped: (scope: unknown) => unknown) => scoped(app);
            }
            return anything;
          },
        },
      );
      await (plugin as (app: unknown, context: unknown) => unknown)(app, anything);
    }
  }
  return routes;
}

/** Stands for whatever a plugin touches while registering: every property and call is itself. */
const anything: unknown = new Proxy(() => {}, {
  get: (_target, property) => (property === Symbol.toPrimitive ? () => '' : anything),
  apply: () => anything,
});

function folderFor(map: Record<string, string>, path: string): string | undefined {
  const segments = path.split('/');
  let best: { folder: string; score: number } | undefined;
  for (const [pattern, folder] of Object.entries(map)) {
    const parts = pattern.split('/');
    const rest = parts.at(-1) === '**';
    const fixed = rest ? parts.slice(0, -1) : parts;
    if (rest ? segments.length <= fixed.length : segments.length !== fixed.length) continue;
    const matches = fixed.every(
      (part, index) => part === segments[index] || (part === '*' && segments[index]?.[0] === ':'),
    );
    // Longer and more literal patterns win.
    const score = fixed.length * 10 + fixed.filter((part) => part !== '*').length - (rest ? 5 : 0);
    if (matches && (!best || score > best.score)) best = { folder, score };
  }
  return best?.folder;
}

describe.each(Object.keys(routeMaps))('the %s server', (service) => {
  const map = routeMaps[service] as Record<string, string>;

  it('registers every route in the routes.ts of the folder its URL names', async () => {
    const routes = await registeredRoutes(service);
    expect(routes.length).toBeGreaterThan(20);
    const misplaced = routes
      .map((route) => ({ ...route, expected: folderFor(map, route.path) }))
      .filter((route) => route.expected !== route.folder)
      .map(
        (route) => `${route.method} ${route.path}: in ${route.folder}/, map says ${route.expected}`,
      );
    expect(misplaced).toEqual([]);
  });

  it('names only folders that handle something', async () => {
    const folders = new Set((await registeredRoutes(service)).map((route) => route.folder));
    expect([...new Set(Object.values(map))].filter((folder) => !folders.has(folder))).toEqual([]);
  });
});
