/**
 * The service frame with nothing of a service in it, for the frame's own tests: every route is
 * let through (`authorize` accepts all), the database is always ready, and `options` replaces
 * any of that.
 */
import { configureServiceApp, createFastify, type ServiceAppOptions } from '../src/http.ts';

export async function frameApp(options: Partial<ServiceAppOptions> = {}) {
  const app = createFastify({ logLevel: 'silent' });
  await configureServiceApp(app, {
    publicUrl: 'http://127.0.0.1',
    title: 't',
    description: 'd',
    corsOrigins: [],
    async authorize() {},
    async ready() {},
    metricsAccess: 'operator',
    ...options,
  });
  return app;
}
