/**
 * Builds the app when its inputs changed since the last build
 * (@tessera/service-kit/app-build), for `npm start`, the tests and the benchmark.
 */
import { fileURLToPath } from 'node:url';
import { appBuild } from '@tessera/service-kit/app-build';
import { mobileDistDir } from './serve.ts';

export const ensureMobileBuild = appBuild({
  name: 'mobile',
  appDir: fileURLToPath(new URL('../', import.meta.url)),
  distDir: mobileDistDir,
  // The config's own module, and the protocol package that the bundle includes.
  inputs: ['server/served.ts', '../../packages/protocol/src'],
});
