/**
 * What the gate app's server answers besides the build: `/config.json`, which names the
 * ticketing server, and `/zxing_reader.wasm`, zxing-wasm's decoder read from node_modules, so
 * the camera works on a venue network with no internet (the package would otherwise fetch it
 * from a CDN). Vite's dev server answers both too (vite.config.ts), so this module imports no
 * package: Vite loads a config's relative imports itself and leaves package imports to Node,
 * which cannot load TypeScript.
 */
import { createRequire } from 'node:module';
import type { GateConfig } from '../src/app-config.ts';

/** Where the app's decode worker asks for the decoder (src/decode-worker.ts). */
export const zxingWasmPath = '/zxing_reader.wasm';
export const zxingWasmFile = createRequire(import.meta.url).resolve(
  'zxing-wasm/reader/zxing_reader.wasm',
);

export function gateConfigJson(config: GateConfig): string {
  return JSON.stringify({
    ticketingUrl: config.ticketingUrl,
    development: config.development,
  } satisfies GateConfig);
}
