import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSmsGateway } from '../src/sms.ts';

describe('the HTTP SMS gateway', () => {
  const received: { auth: string | undefined; body: string }[] = [];
  let status = 202;
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ auth: request.headers.authorization, body });
      response.writeHead(status).end();
    });
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the number and the text with the bearer token', async () => {
    await new HttpSmsGateway(url, 'gateway-token').send('+821012345678', 'code: 123456');
    expect(received.at(-1)).toEqual({
      auth: 'Bearer gateway-token',
      body: JSON.stringify({ to: '+821012345678', text: 'code: 123456' }),
    });
  });

  it('fails when the gateway refuses, so a code is never reported sent when it was not', async () => {
    status = 500;
    await expect(new HttpSmsGateway(url, undefined).send('+821012345678', 'x')).rejects.toThrow(
      /answered 500/,
    );
    expect(received.at(-1)?.auth).toBeUndefined();
  });
});
