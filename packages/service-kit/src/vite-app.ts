/**
 * The Vite configuration of a web app: React, a build into dist/ (index.html, the hashed bundles
 * under assets/, the files of public/) with sw.js, the service worker, compiled from the source
 * the app names (both apps use @tessera/web-kit/sw) with the list of this build's files written
 * into it (so each build's worker differs, and the browser installs it), and a dev server
 * (`vite`) that answers `/config.json` with the servers of `npm start` (which must allow the dev
 * origin: TICKETING_CORS_ORIGINS and EXCHANGE_CORS_ORIGINS).
 *
 * An app's vite.config.ts imports this file by its relative path, not as
 * `@tessera/service-kit/vite-app`: Vite bundles a config's relative imports but leaves package
 * imports to Node, which cannot load TypeScript.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import react from '@vitejs/plugin-react';
import { build } from 'esbuild';
import type { Plugin, UserConfig } from 'vite';

/** A file the app's server serves beside the build rather than from it (the gate's decoder). */
export interface ServedFile {
  url: string;
  /** Where it is on disk. */
  file: string;
  contentType: string;
}

export interface ViteAppOptions {
  /** The app's folder. */
  root: string;
  /** The service worker's source; none for an app that need not start offline (the console). */
  serviceWorker?: string;
  /** What the dev server answers at `/config.json`. */
  developmentConfigJson: string;
  /** The worker stores these too, so the app works offline, and the dev server serves them. */
  served?: readonly ServedFile[];
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)).split('\\').join('/'));
}

function serviceWorker(entry: string, served: readonly ServedFile[]): Plugin {
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
      const urls: string[] = [];
      for (const [fileName, item] of Object.entries(bundle)) {
        if (fileName.endsWith('.map')) continue;
        urls.push(`/${fileName}`);
        hash.update(fileName).update(item.type === 'chunk' ? item.code : item.source);
      }
      for (const fileName of filesUnder(publicDir)) {
        urls.push(`/${fileName}`);
        hash.update(fileName).update(readFileSync(join(publicDir, fileName)));
      }
      if (!urls.includes('/index.html')) {
        this.error('index.html is not in the bundle: the service worker would have no shell');
      }
      for (const { url, file } of served) {
        urls.push(url);
        hash.update(url).update(readFileSync(file));
      }
      const compiled = await build({
        entryPoints: [entry],
        bundle: true,
        write: false,
        format: 'iife',
        target: 'es2022',
        minify: true,
        define: {
          __PRECACHE_URLS__: JSON.stringify(urls.sort()),
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

/** In development, the app asks the dev server for what its own server would answer. */
function developmentFiles(configJson: string, served: readonly ServedFile[]): Plugin {
  return {
    name: 'tessera-development-files',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use('/config.json', (_request, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(configJson);
      });
      for (const { url, file, contentType } of served) {
        server.middlewares.use(url, (_request, response) => {
          response.setHeader('content-type', contentType);
          response.end(readFileSync(file));
        });
      }
    },
  };
}

export function viteApp(options: ViteAppOptions): UserConfig {
  const served = options.served ?? [];
  return {
    root: options.root,
    plugins: [
      react(),
      ...(options.serviceWorker ? [serviceWorker(options.serviceWorker, served)] : []),
      developmentFiles(options.developmentConfigJson, served),
    ],
    build: {
      outDir: 'dist',
      emptyOutDir: true,
      target: 'es2022',
      // Small enough to read in one go; no source maps shipped to phones or terminals.
      sourcemap: false,
    },
  };
}
