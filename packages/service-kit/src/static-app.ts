/**
 * Serves a built web app (its Vite dist/) the way a phone or a gate terminal needs it: every app
 * path answers index.html (the app routes in the browser, and the exchange's buy page returns to
 * `/orders/<id>`), the hashed bundles under assets/ are cached for a year, index.html, sw.js, the
 * manifest and `/config.json` are revalidated on every load, and text is gzipped. `/config.json`
 * tells the app where its servers are, so one build serves any deployment.
 *
 * The Content-Security-Policy lets the page talk to its own origin and the servers it is given,
 * and load nothing from anywhere else; an app adds only what it really needs beyond that.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Where an app's server listens, and which build it serves. */
export interface StaticAppListen {
  host: string;
  /** Port 0 picks a free one. */
  port: number;
  /** The build to serve, when not the app's own. */
  distDir?: string;
}

/** What an app's start function takes: where to listen, and what the app is told. */
export interface AppServerOptions<Config> extends StaticAppListen {
  /** What the app is told (the servers as the browser reaches them). */
  app: Config;
}

/** What makes one app's server differ from another's. */
export interface StaticAppOptions {
  /** The app's name in messages and logs: "mobile" says "the mobile app is not built". */
  name: string;
  /** Its npm workspace, named in the hint to build it. */
  workspace: string;
  /** The app's own build. */
  distDir: string;
  /** The body of `/config.json`. */
  configJson: string;
  /** The servers the page may call (their origins go into connect-src). */
  connectTo: readonly string[];
  /** Sources that img-src allows beyond `'self'` and `data:` (the console's map tiles). */
  imageSources?: readonly string[];
  /** Sources that script-src allows beyond `'self'`. */
  scriptSources?: readonly string[];
  /** Response headers beyond the common security headers. */
  headers?: Readonly<Record<string, string>>;
  /** Files served from memory beside the build, by path (the gate's decoder). */
  files?: ReadonlyMap<string, Buffer>;
}

export interface StaticApp {
  url: string;
  close(): Promise<void>;
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
  '.wasm': 'application/wasm',
};
/** Text only: WebAssembly is already dense, and pictures are compressed. */
const compressible = new Set(['.html', '.js', '.css', '.json', '.webmanifest', '.svg', '.txt']);
/** Bodies this small gain too little from gzip to pay for the client's work. */
const plainBytesMax = 512;
/** Paths longer than this are refused before any file system look-up. */
const pathCharsMax = 512;
const revalidate = 'no-cache';
/** Hashed names never change content. */
const immutable = 'public, max-age=31536000, immutable';

interface Prepared {
  body: Buffer;
  gzipped: Buffer | undefined;
  type: string;
}

function prepare(body: Buffer, extension: string): Prepared {
  return {
    body,
    gzipped:
      compressible.has(extension) && body.length > plainBytesMax ? gzipSync(body) : undefined,
    type: contentTypes[extension] ?? 'application/octet-stream',
  };
}

function securityHeaders(options: StaticAppOptions): Record<string, string> {
  const origins = options.connectTo.map((url) => new URL(url).origin);
  return {
    'content-security-policy': [
      "default-src 'self'",
      `connect-src 'self' ${origins.join(' ')}`,
      ["img-src 'self' data:", ...(options.imageSources ?? [])].join(' '),
      "style-src 'self'",
      ["script-src 'self'", ...(options.scriptSources ?? [])].join(' '),
      "worker-src 'self'",
      "manifest-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    ...options.headers,
  };
}

/** The decoded path of a request, or undefined when it is not one the app could have. */
function requestPath(request: IncomingMessage): string | undefined {
  let pathname: string;
  try {
    pathname = decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  // Dot files (the build's input stamp) are not part of the app.
  if (pathname.length > pathCharsMax || pathname.includes('\0') || pathname.includes('/.')) {
    return undefined;
  }
  return pathname;
}

/** The build, read once and kept: `/`, `/index.html`, `/config.json` and the extra files. */
async function readBuild(listen: StaticAppListen, options: StaticAppOptions) {
  const wanted = listen.distDir ?? options.distDir;
  const distDir = await realpath(wanted).catch(() => {
    throw new Error(
      `the ${options.name} app is not built (${wanted} is missing): npm run build -w ${options.workspace}`,
    );
  });
  const index = await readFile(join(distDir, 'index.html')).catch(() => {
    throw new Error(`the ${options.name} app build has no index.html in ${distDir}`);
  });
  const shell = prepare(index, '.html');
  // Everything is read once and kept (a build is a few hundred KB, the gate's decoder about
  // 1 MB): the server never re-reads disk. Paths that answer the same whatever the build holds.
  const fixed = new Map<string, Prepared>([
    ['/', shell],
    ['/index.html', shell],
    ['/config.json', prepare(Buffer.from(options.configJson), '.json')],
  ]);
  for (const [path, body] of options.files ?? []) fixed.set(path, prepare(body, extname(path)));
  return { distDir, shell, fixed };
}

/** The files of dist/ by request path, each read once on first request. */
function distFiles(distDir: string) {
  // Keyed by file, not by path, so that the spellings of one path share one copy.
  const fromDist = new Map<string, Prepared>();
  return async (pathname: string): Promise<Prepared | undefined> => {
    const path = resolve(distDir, `.${pathname}`);
    // Never outside dist/, whatever the path says (`..`, encoded or not).
    if (!path.startsWith(distDir + sep)) return undefined;
    const known = fromDist.get(path);
    if (known) return known;
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const file = prepare(await readFile(path), extname(path));
    fromDist.set(path, file);
    return file;
  };
}

function send(
  headers: Readonly<Record<string, string>>,
  request: IncomingMessage,
  response: ServerResponse,
  file: Prepared,
  cacheControl: string,
) {
  const acceptsGzip = /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
  const gzipped = acceptsGzip ? file.gzipped : undefined;
  const body = gzipped ?? file.body;
  response.writeHead(200, {
    ...headers,
    'content-type': file.type,
    'content-length': body.length,
    'cache-control': cacheControl,
    vary: 'accept-encoding',
    ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Answers one request from the build. */
function handler(
  build: Awaited<ReturnType<typeof readBuild>>,
  headers: Readonly<Record<string, string>>,
) {
  const { shell, fixed } = build;
  const distFile = distFiles(build.distDir);
  return async (request: IncomingMessage, response: ServerResponse) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const pathname = requestPath(request);
    if (pathname === undefined) {
      response.writeHead(400).end('bad path');
      return;
    }
    const known = fixed.get(pathname);
    if (known) {
      send(headers, request, response, known, revalidate);
      return;
    }
    const file = await distFile(pathname);
    // The rest of the build (sw.js, the manifest, icons) is revalidated.
    if (file) {
      const cacheControl = pathname.startsWith('/assets/') ? immutable : revalidate;
      send(headers, request, response, file, cacheControl);
    }
    // An app path (no file extension) is the app itself, which routes it; a missing file is 404.
    else if (extname(pathname) === '') send(headers, request, response, shell, revalidate);
    else response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
  };
}

/** Listens where `listen` says, serving the app that `options` describes. */
export async function startStaticApp(
  listen: StaticAppListen,
  options: StaticAppOptions,
): Promise<StaticApp> {
  const handle = handler(await readBuild(listen, options), securityHeaders(options));
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      console.error(`${options.name} app server`, error);
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(listen.port, listen.host, () => listening());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${listen.host}:${port}`,
    close: () =>
      new Promise<void>((closed) => {
        server.close(() => closed());
        server.closeAllConnections();
      }),
  };
}
