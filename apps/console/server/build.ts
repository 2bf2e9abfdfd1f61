/**
 * Builds the console when its inputs changed since the last build
 * (@tessera/service-kit/app-build), for `npm start`, the tests and the benchmark.
 */
import { fileURLToPath } from 'node:url';
import { appBuild } from '@tessera/service-kit/app-build';
import { consoleDistDir } from './serve.ts';

export const ensureConsoleBuild = appBuild({
  name: 'console',
  appDir: fileURLToPath(new URL('../', import.meta.url)),
  distDir: consoleDistDir,
  // The config's own module, and the apps' shared browser code and the generated client.
  inputs: ['server/served.ts', '../../packages/web-kit/src', '../../packages/api-client/src'],
});
