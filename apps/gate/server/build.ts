/**
 * Builds the gate app when its inputs changed since the last build
 * (@tessera/service-kit/app-build), for `npm start`, the tests and the benchmark.
 */
import { fileURLToPath } from 'node:url';
import { appBuild } from '@tessera/service-kit/app-build';
import { gateDistDir } from './serve.ts';

export const ensureGateBuild = appBuild({
  name: 'gate',
  appDir: fileURLToPath(new URL('../', import.meta.url)),
  distDir: gateDistDir,
  // The config's own module, and what the bundle includes from elsewhere: the protocol package,
  // the mobile app's HTTP helper, its server clock and its service worker.
  inputs: [
    'server/served.ts',
    '../../packages/protocol/src',
    '../mobile/src/api',
    '../mobile/src/server-clock.ts',
    '../mobile/src/sw.ts',
  ],
});
