/**
 * Serves the built gate app (dist/): every app path answers index.html, hashed bundles are
 * cached for a year and the rest revalidated, `/config.json` names the ticketing server, and
 * `/zxing_reader.wasm` is zxing-wasm's decoder read from node_modules, so the camera works on a
 * venue network with no internet (the package would otherwise fetch it from a CDN).
 *
 * The Content-Security-Policy lets the page talk to its own origin and the ticketing server
 * only; `'wasm-unsafe-eval'` is the one allowance beyond the mobile app's, because compiling the
 * decoder's WebAssembly needs it, and it allows no JavaScript eval.
 */
import { readFileSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { GateConfig } from '../src/app-config.ts';

export const gateDistDir = fileURLToPath(new URL('../dist/', import.meta.url));
/** Where the app's decode worker asks for the decoder (src/decode-worker.ts). */
export const zxingWasmPath = '/zxing_reader.wasm';

export interface GateServerOptions {
  host: string;
  /** Port 0 picks a free one. */
  port: number;
  app: GateConfig;
  distDir?: string;
}

export interface GateServer {
  url: string;
  close(): Promise<void>;
}

export function gateConfigJson(config: GateConfig): string {
  return JSON.stringify({
    ticketingUrl: config.ticketingUrl,
    development: config.development,
  } satisfies GateConfig);
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};
/** Paths longer than this are refused before any file system look-up. */
const pathCharsMax = 512;

interface Asset {
  body: Buffer;
  gzipped?: Buffer;
  type: string;
  cache: string;
}

function asset(body: Buffer, extension: string, cache: string): Asset {
  const type = types[extension] ?? 'application/octet-stream';
  // Text only: the wasm is already dense, and pictures are compressed.
  const text = /^(text|application\/(json|manifest))/.test(type) || extension === '.svg';
  return { body, type, cache, ...(text && body.length > 512 ? { gzipped: gzipSync(body) } : {}) };
}

function zxingWasm(): Buffer {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
}

export async function startGateServer(options: GateServerOptions): Promise<GateServer> {
  const wanted = options.distDir ?? gateDistDir;
  const distDir = await realpath(wanted).catch(() => {
    throw new Error(
      `the gate app is not built (${wanted} is missing): npm run build -w @tessera/gate`,
    );
  });
  const ticketingOrigin = new URL(options.app.ticketingUrl).origin;
  const headers = {
    'content-security-policy': [
      "default-src 'self'",
      `connect-src 'self' ${ticketingOrigin}`,
      "img-src 'self' data:",
      "style-src 'self'",
      "script-src 'self' 'wasm-unsafe-eval'",
      "worker-src 'self'",
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    // The camera and the position, for this page only; nothing else.
    'permissions-policy': 'camera=(self), geolocation=(self), microphone=()',
  };
  const revalidate = 'no-cache';
  // Everything is read once (the build and the decoder are a few MB) and served from memory.
  const fixed = new Map<string, Asset>([
    ['/config.json', asset(Buffer.from(gateConfigJson(options.app)), '.json', revalidate)],
    [zxingWasmPath, asset(zxingWasm(), '.wasm', revalidate)],
  ]);
  const shell = asset(await readFile(join(distDir, 'index.html')), '.html', revalidate);
  fixed.set('/', shell);
  fixed.set('/index.html', shell);
  const read = new Map<string, Asset | null>();

  async function fromDist(pathname: string): Promise<Asset | undefined> {
    const known = read.get(pathname);
    if (known !== undefined) return known ?? undefined;
    const path = resolve(distDir, `.${pathname}`);
    // Never outside dist/, whatever the path says (`..`, encoded or not).
    const inside = path.startsWith(distDir + sep);
    const info = inside ? await stat(path).catch(() => undefined) : undefined;
    const found = info?.isFile()
      ? asset(
          await readFile(path),
          extname(path),
          pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : revalidate,
        )
      : null;
    read.set(pathname, found);
    return found ?? undefined;
  }

  function reply(request: IncomingMessage, response: ServerResponse, file: Asset) {
    const gzip =
      file.gzipped !== undefined && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    const body = gzip && file.gzipped ? file.gzipped : file.body;
    response.writeHead(200, {
      ...headers,
      'content-type': file.type,
      'content-length': body.length,
      'cache-control': file.cache,
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  async function route(request: IncomingMessage, response: ServerResponse) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/');
    } catch {
      pathname = '\0';
    }
    // Dot files (the build's input stamp) are not part of the app.
    if (pathname.length > pathCharsMax || pathname.includes('\0') || pathname.includes('/.')) {
      response.writeHead(400).end('bad path');
      return;
    }
    const file = fixed.get(pathname) ?? (await fromDist(pathname));
    // An app path (no extension) is the app itself, which routes it; a missing file is 404.
    if (file) reply(request, response, file);
    else if (extname(pathname) === '') reply(request, response, shell);
    else response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      console.error('gate app server', error);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(options.port, options.host, () => listening());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((closed) => {
        server.close(() => closed());
        server.closeAllConnections();
      }),
  };
}
