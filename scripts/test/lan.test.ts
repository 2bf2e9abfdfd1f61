/**
 * `npm start -- --lan`'s parts: the certificate for the machine's address (made once, again when
 * the address changes) and the TLS proxy in front of each server, which must pass requests,
 * headers and bodies through and stream server-sent events as they come.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lanCertificate, startTlsProxy, type TlsProxy, terminalQr } from '../lan.ts';

describe('--lan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-lan-'));
  let upstream: http.Server;
  let proxy: TlsProxy;
  let ca: string;

  beforeAll(async () => {
    upstream = http.createServer((request, response) => {
      if (request.url === '/events') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: first\n\n');
        // The second event comes 300 ms later: the first must reach the client before it.
        setTimeout(() => response.end('data: second\n\n'), 300);
        return;
      }
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        response.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' });
        response.end(
          JSON.stringify({
            method: request.method,
            url: request.url,
            proto: request.headers['x-forwarded-proto'],
            authorization: request.headers.authorization,
            body,
          }),
        );
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const certificate = lanCertificate(dir, '127.0.0.1');
    ca = certificate.cert;
    proxy = await startTlsProxy({
      host: '127.0.0.1',
      port: 0,
      target: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      certificate,
    });
  });

  afterAll(async () => {
    await proxy?.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  function call(path: string, options: { method?: string; body?: string; onChunk?: () => void }) {
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; chunks: string[] }>(
      (resolve, reject) => {
        const request = https.request(
          `${proxy.url}${path}`,
          {
            method: options.method ?? 'GET',
            ca,
            headers: { authorization: 'Bearer secret-token', 'content-type': 'application/json' },
          },
          (response) => {
            const chunks: string[] = [];
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => {
              chunks.push(chunk);
              options.onChunk?.();
            });
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, headers: response.headers, chunks }),
            );
          },
        );
        request.on('error', reject);
        request.end(options.body);
      },
    );
  }

  it('serves HTTPS with a certificate for the address, and passes requests through', async () => {
    const answer = await call('/v1/things?x=1', { method: 'POST', body: '{"a":1}' });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-upstream']).toBe('yes');
    expect(JSON.parse(answer.chunks.join(''))).toEqual({
      method: 'POST',
      url: '/v1/things?x=1',
      proto: 'https',
      authorization: 'Bearer secret-token',
      body: '{"a":1}',
    });
  });

  it('streams server-sent events as they come, not when the stream ends', async () => {
    const seenAt: number[] = [];
    const started = Date.now();
    const answer = await call('/events', { onChunk: () => seenAt.push(Date.now() - started) });
    expect(answer.chunks.join('')).toBe('data: first\n\ndata: second\n\n');
    expect(seenAt.length).toBeGreaterThanOrEqual(2);
    expect(seenAt[0]).toBeLessThan(250);
  });

  it('keeps the certificate for the same address and makes a new one for another', () => {
    const again = lanCertificate(dir, '127.0.0.1');
    expect(again.cert).toBe(ca);
    const moved = lanCertificate(dir, '192.0.2.77');
    expect(moved.cert).not.toBe(ca);
    expect(moved.cert).toContain('BEGIN CERTIFICATE');
  });

  it('draws the URL as a QR in text', async () => {
    const qr = await terminalQr('https://192.0.2.2:4300');
    expect(qr.split('\n').length).toBeGreaterThan(10);
  });
});
