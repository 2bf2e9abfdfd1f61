// Bundles a server into one ES module for running with plain `node` (no TypeScript loader in
// production: it saves ~45 MB of memory and the start-up compile). Native and file-serving
// packages stay external and load from node_modules. Each service's build.mjs calls this.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { build } from 'esbuild';

export async function bundleService(serviceDirectory) {
  const result = await build({
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
    // Written below, each file whole: test files running at the same time each build the
    // servers, and a server starting while another build rewrote its bundle in place read half
    // a file (or none) and never answered.
    write: false,
  });
  for (const file of result.outputFiles) {
    // Not written by esbuild, so dist/ is not made by it either (a clean clone has none).
    mkdirSync(dirname(file.path), { recursive: true });
    const partial = `${file.path}.${process.pid}.partial`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
}
