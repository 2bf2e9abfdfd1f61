// Bundles a server into one ES module for running with plain `node` (no TypeScript loader in
// production: it saves ~45 MB of memory and the start-up compile). Native and file-serving
// packages stay external and load from node_modules. Each service's build.mjs calls this.
import { build } from 'esbuild';

export async function bundleService(serviceDirectory) {
  await build({
    entryPoints: [new URL('./src/server.ts', serviceDirectory).pathname],
    outfile: new URL('./dist/server.mjs', serviceDirectory).pathname,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    external: ['better-sqlite3', 'pg', 'pg-native', '@fastify/swagger-ui', '@fastify/static'],
    // Bundled CommonJS packages call require(); give the ES module one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
