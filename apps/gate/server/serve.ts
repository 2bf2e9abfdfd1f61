/**
 * Serves the built gate app (dist/) the way the mobile app's is served
 * (@tessera/service-kit/static-app), with what a gate terminal needs beyond it: the decoder's
 * WebAssembly (server/served.ts), `'wasm-unsafe-eval'`, because compiling that WebAssembly needs
 * it (it allows no JavaScript eval), and the camera and the position for this page. The page
 * talks to its own origin and the ticketing server only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type AppServerOptions,
  type StaticApp,
  startStaticApp,
} from '@tessera/service-kit/static-app';
import type { GateConfig } from '../src/app-config.ts';
import { gateConfigJson, zxingWasmFile, zxingWasmPath } from './served.ts';

export const gateDistDir = fileURLToPath(new URL('../dist/', import.meta.url));

export type GateServerOptions = AppServerOptions<GateConfig>;

export type GateServer = StaticApp;

export function startGateServer(options: GateServerOptions): Promise<GateServer> {
  return startStaticApp(options, {
    name: 'gate',
    workspace: '@tessera/gate',
    distDir: gateDistDir,
    configJson: gateConfigJson(options.app),
    connectTo: [options.app.ticketingUrl],
    scriptSources: ["'wasm-unsafe-eval'"],
    // The camera and the position, for this page only; nothing else.
    headers: { 'permissions-policy': 'camera=(self), geolocation=(self), microphone=()' },
    files: new Map([[zxingWasmPath, readFileSync(zxingWasmFile)]]),
  });
}
