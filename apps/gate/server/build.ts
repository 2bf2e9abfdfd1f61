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
  // The config's own module, and what the bundle includes from elsewhere: the protocol package
  // and the apps' shared browser code (HTTP client, server clock, i18n, service worker).
  inputs: ['server/served.ts', '../../packages/protocol/src', '../../packages/web-kit/src'],
});
