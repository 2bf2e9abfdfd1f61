/**
 * `npm start -- --lan`: lets phones on the same network try the system. Their browsers give the
 * camera, GPS and WebCrypto's device keys only to secure origins, so every part is served over
 * HTTPS on the machine's network address, with a self-signed certificate made for that address
 * (`openssl`, kept under `data/lan/` and made again when the address changes). Each server keeps
 * listening on loopback as usual; a small TLS proxy per server forwards to it, streaming bodies
 * both ways so the live feeds (server-sent events) keep working.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import QRCode from 'qrcode';

/** The first IPv4 address of a network interface that is up and not loopback. */
export function lanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

export interface Certificate {
  key: string;
  cert: string;
}

/**
 * A self-signed certificate for `address` (and localhost), valid 30 days; the one already made
 * is reused while it is for the same address. Phones show a warning once per origin: the demo
 * has no certificate authority, and this is what "accept the risk" is for.
 */
export function lanCertificate(dataDir: string, address: string): Certificate {
  const dir = join(dataDir, 'lan');
  mkdirSync(dir, { recursive: true });
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  const forFile = join(dir, 'address');
  const fresh =
    existsSync(keyFile) &&
    existsSync(certFile) &&
    existsSync(forFile) &&
    readFileSync(forFile, 'utf8') === address;
  if (!fresh) {
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '30',
          '-subj',
          '/CN=Tessera demo',
          '-addext',
          `subjectAltName=IP:${address},DNS:localhost,IP:127.0.0.1`,
          '-keyout',
          keyFile,
          '-out',
          certFile,
        ],
        { stdio: 'pipe' },
      );
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new Error(
        `--lan needs the openssl command to make its certificate (apt-get install openssl): ${detail}`,
      );
    }
    writeFileSync(forFile, address);
  }
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}

export interface TlsProxy {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * HTTPS on `host:port`, forwarded to the plain HTTP server at `target`. The Host header is kept
 * (the servers build no URLs from it) and X-Forwarded-Proto says the client spoke HTTPS.
 */
export async function startTlsProxy(options: {
  host: string;
  port: number;
  target: string;
  certificate: Certificate;
}): Promise<TlsProxy> {
  const target = new URL(options.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = https.createServer(options.certificate, (request, response) => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: { ...request.headers, 'x-forwarded-proto': 'https' },
        agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        // Streams (server-sent events) go through as they come.
        response.flushHeaders();
        answer.pipe(response);
      },
    );
    upstream.on('error', () => {
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({ error: { code: 'bad_gateway', message: 'the server did not answer' } }),
        );
      } else {
        response.destroy();
      }
    });
    response.on('close', () => upstream.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${options.host}:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

/** The URL as a QR drawn with text characters, for a phone's camera to open from the terminal. */
export function terminalQr(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
}
