/**
 * Vite builds the gate app into dist/: index.html, the hashed bundles under assets/ (the decode
 * worker among them), the files of public/, and sw.js, the service worker. The decoder's
 * WebAssembly is not bundled: the app's server serves it from node_modules (server/serve.ts).
 * `npm run dev -w @tessera/gate` serves the app with a /config.json pointing at the ticketing
 * server of `npm start`, and the decoder.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'esbuild';
import { defineConfig, type Plugin } from 'vite';
import { gateConfigJson, zxingWasmPath } from './server/serve.ts';

const root = fileURLToPath(new URL('.', import.meta.url));
const zxingWasm = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');

/**
 * The offline shell is the mobile app's service worker (apps/mobile/src/sw.ts: navigations get
 * the stored index.html, the build's files come from the cache, /config.json from the network
 * first), compiled with this build's file list, the decoder's WebAssembly included, so that a
 * terminal reloaded with no network still starts, reads and decides.
 */
function offlineShell(): Plugin {
  return {
    name: 'tessera-gate-offline-shell',
    apply: 'build',
    enforce: 'post',
    async generateBundle(_options, bundle) {
      const publicFiles = readdirSync(new URL('./public/', import.meta.url));
      const urls = [...Object.keys(bundle), ...publicFiles].map((name) => `/${name}`);
      urls.push(zxingWasmPath);
      const version = createHash('sha256').update(readFileSync(zxingWasm));
      for (const item of Object.values(bundle)) {
        version.update(item.fileName).update(item.type === 'chunk' ? item.code : item.source);
      }
      const compiled = await build({
        entryPoints: [fileURLToPath(new URL('../mobile/src/sw.ts', import.meta.url))],
        bundle: true,
        write: false,
        format: 'iife',
        target: 'es2022',
        minify: true,
        define: {
          __PRECACHE_URLS__: JSON.stringify(urls.sort()),
          __CACHE_VERSION__: JSON.stringify(version.digest('hex').slice(0, 16)),
        },
      });
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: compiled.outputFiles[0]?.text ?? '',
      });
    },
  };
}

function developmentConfig(): Plugin {
  return {
    name: 'tessera-gate-development-config',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/config.json', (_request, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(gateConfigJson({ ticketingUrl: 'http://127.0.0.1:4200', development: true }));
      });
      server.middlewares.use(zxingWasmPath, (_request, response) => {
        response.setHeader('content-type', 'application/wasm');
        response.end(readFileSync(zxingWasm));
      });
    },
  };
}

export default defineConfig({
  root,
  plugins: [react(), offlineShell(), developmentConfig()],
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
});
