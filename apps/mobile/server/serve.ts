/**
 * Serves the built app (dist/) the way a phone needs it: every app path answers index.html (the
 * app routes in the browser, and the exchange's buy page returns to `/orders/<id>`), the hashed
 * bundles are cached for a year, index.html, sw.js and the manifest are revalidated on every
 * load, text is gzipped, and `/config.json` tells the app where the two servers are. The
 * Content-Security-Policy lets the page talk to exactly those two servers and load nothing from
 * anywhere else.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { AppConfig } from '../src/app-config.ts';

export const mobileDistDir = fileURLToPath(new URL('../dist/', import.meta.url));

export interface MobileServerOptions {
  /** Where to listen; port 0 picks a free one. */
  host: string;
  port: number;
  /** What the app is told (the servers as the browser reaches them). */
  app: AppConfig;
  distDir?: string;
}

export interface MobileServer {
  url: string;
  close(): Promise<void>;
}

export function appConfigJson(config: AppConfig): string {
  return JSON.stringify({
    ticketingUrl: config.ticketingUrl,
    exchangeUrl: config.exchangeUrl,
    development: config.development,
  } satisfies AppConfig);
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};
const compressible = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.svg', '.txt']);
/** Paths longer than this are refused before any file system look-up. */
const pathCharsMax = 512;

interface Prepared {
  body: Buffer;
  gzipped: Buffer | undefined;
  type: string;
}

export async function startMobileServer(options: MobileServerOptions): Promise<MobileServer> {
  const distDir = await realpath(options.distDir ?? mobileDistDir).catch(() => {
    throw new Error(
      `the mobile app is not built (${options.distDir ?? mobileDistDir} is missing): npm run build -w @tessera/mobile`,
    );
  });
  const index = await readFile(join(distDir, 'index.html')).catch(() => {
    throw new Error(`the mobile app build has no index.html in ${distDir}`);
  });
  const config = Buffer.from(appConfigJson(options.app));
  const origins = [options.app.ticketingUrl, options.app.exchangeUrl].map(
    (url) => new URL(url).origin,
  );
  const securityHeaders = {
    'content-security-policy': [
      "default-src 'self'",
      `connect-src 'self' ${origins.join(' ')}`,
      "img-src 'self' data:",
      "style-src 'self'",
      "script-src 'self'",
      "worker-src 'self'",
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
  // Files are read once and kept (a build is a few hundred KB): the server never re-reads disk.
  const prepared = new Map<string, Prepared>();
  const prepare = (body: Buffer, extension: string): Prepared => ({
    body,
    gzipped: compressible.has(extension) && body.length > 512 ? gzipSync(body) : undefined,
    type: contentTypes[extension] ?? 'application/octet-stream',
  });
  const shell = prepare(index, '.html');
  const configFile = prepare(config, '.json');

  async function fileFor(pathname: string): Promise<Prepared | undefined> {
    const known = prepared.get(pathname);
    if (known) return known;
    const path = resolve(distDir, `.${pathname}`);
    // Never outside dist/, whatever the path says (`..`, encoded or not).
    if (path !== distDir && !path.startsWith(distDir + sep)) return undefined;
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const file = prepare(await readFile(path), extname(path));
    prepared.set(pathname, file);
    return file;
  }

  function send(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    file: Prepared,
    cacheControl: string,
  ) {
    const gzip =
      file.gzipped !== undefined && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
    const body = gzip ? (file.gzipped as Buffer) : file.body;
    response.writeHead(status, {
      ...securityHeaders,
      'content-type': file.type,
      'content-length': body.length,
      'cache-control': cacheControl,
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const rawPath = (request.url ?? '/').split('?')[0] ?? '/';
    let pathname: string;
    try {
      pathname = decodeURIComponent(rawPath);
    } catch {
      response.writeHead(400).end('bad path');
      return;
    }
    // Dot files (the build's input stamp) are not part of the app.
    if (pathname.length > pathCharsMax || pathname.includes('\0') || pathname.includes('/.')) {
      response.writeHead(400).end('bad path');
      return;
    }
    if (pathname === '/config.json') {
      send(request, response, 200, configFile, 'no-cache');
      return;
    }
    if (pathname === '/' || pathname === '/index.html') {
      send(request, response, 200, shell, 'no-cache');
      return;
    }
    const file = await fileFor(pathname);
    if (file) {
      // Hashed names never change content; the rest (sw.js, manifest, icons) is revalidated.
      send(
        request,
        response,
        200,
        file,
        pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
      return;
    }
    // An app path (no file extension): the app itself, which routes it. A missing file: 404.
    if (extname(pathname) === '') {
      send(request, response, 200, shell, 'no-cache');
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error('mobile app server', error);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${address.port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}
