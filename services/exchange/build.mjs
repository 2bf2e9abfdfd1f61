// Bundles the exchange server into one ES module for running with plain `node` (no TypeScript
// loader in production: it saves ~45 MB of memory and the start-up compile). Native and
// file-serving packages stay external and load from node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('./src/server.ts', import.meta.url).pathname],
  outfile: new URL('./dist/server.mjs', import.meta.url).pathname,
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
