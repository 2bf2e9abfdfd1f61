/**
 * Vite builds the app into dist/: index.html, the hashed bundles under assets/, the files of
 * public/ (manifest and icons) and sw.js, the service worker, compiled from src/sw.ts with the
 * list of this build's files written into it (so each build's worker differs, and the browser
 * installs it). `npm run dev -w @tessera/mobile` serves the app with a /config.json pointing at
 * the servers of `npm start` (the servers must allow the dev origin: TICKETING_CORS_ORIGINS and
 * EXCHANGE_CORS_ORIGINS).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { build } from 'esbuild';
import { defineConfig, type Plugin } from 'vite';
import { appConfigJson } from './server/serve.ts';

const root = fileURLToPath(new URL('.', import.meta.url));

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

function serviceWorker(): Plugin {
  let publicDir = '';
  return {
    name: 'tessera-service-worker',
    apply: 'build',
    // After Vite's own plugins, so index.html is in the bundle when the list is made.
    enforce: 'post',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    async generateBundle(_options, bundle) {
      const hash = createHash('sha256');
      const files: string[] = [];
      for (const [fileName, item] of Object.entries(bundle)) {
        if (fileName.endsWith('.map')) continue;
        files.push(fileName);
        hash.update(fileName).update(item.type === 'chunk' ? item.code : item.source);
      }
      for (const fileName of filesUnder(publicDir)) {
        files.push(fileName);
        hash.update(fileName).update(readFileSync(join(publicDir, fileName)));
      }
      if (!files.includes('index.html')) {
        this.error('index.html is not in the bundle: the service worker would have no shell');
      }
      const urls = files.sort().map((fileName) => `/${fileName}`);
      const compiled = await build({
        entryPoints: [join(root, 'src/sw.ts')],
        bundle: true,
        write: false,
        format: 'iife',
        target: 'es2022',
        minify: true,
        define: {
          __PRECACHE_URLS__: JSON.stringify(urls),
          __CACHE_VERSION__: JSON.stringify(hash.digest('hex').slice(0, 16)),
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

/** In development, the app asks the dev server for /config.json: the servers of npm start. */
function developmentConfig(): Plugin {
  return {
    name: 'tessera-development-config',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/config.json', (_request, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(
          appConfigJson({
            ticketingUrl: 'http://127.0.0.1:4200',
            exchangeUrl: 'http://127.0.0.1:4100',
            development: true,
          }),
        );
      });
    },
  };
}

export default defineConfig({
  root,
  plugins: [react(), serviceWorker(), developmentConfig()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Small enough to read in one go; no source maps shipped to phones.
    sourcemap: false,
  },
});
