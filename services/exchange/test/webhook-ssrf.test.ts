import { randomBytes } from 'node:crypto';
/**
 * Webhooks cannot be aimed at the exchange's own network in production: hosts that resolve to
 * loopback, private, link-local or other non-public addresses are refused without connecting.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { attemptDelivery, isPublicAddress } from '../src/notifications/webhooks.ts';

describe('webhook destinations', () => {
  it('tells public addresses from the rest', () => {
    for (const inside of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      'not-an-ip',
    ]) {
      expect(isPublicAddress(inside), inside).toBe(false);
    }
    for (const outside of [
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2001:4860:4860::8888',
      '::ffff:8.8.8.8',
    ]) {
      expect(isPublicAddress(outside), outside).toBe(true);
    }
  });

  it('refuses a private destination without connecting, and delivers where allowed', async () => {
    let received = 0;
    const server = createServer((request, response) => {
      received += 1;
      request.resume();
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const attempt = (allowPrivate: boolean) =>
      attemptDelivery({
        url,
        secret: 'whsec_test',
        eventId: 'evt_test',
        body: '{}',
        timestampS: 1,
        timeoutMs: 2_000,
        allowPrivate,
      });
    try {
      const refused = await attempt(false);
      expect(refused.ok).toBe(false);
      expect(refused.statusCode).toBeNull();
      expect(refused.error).toContain('non-public address (127.0.0.1)');
      expect(received).toBe(0);
      const delivered = await attempt(true);
      expect(delivered).toMatchObject({ ok: true, statusCode: 200 });
      expect(received).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is off in production and on in development unless configured', () => {
    const production = {
      NODE_ENV: 'production',
      EXCHANGE_SECRET_KEY: randomBytes(32).toString('hex'),
      EXCHANGE_OPERATOR_TOKEN: 'operator-token-of-enough-length',
      EXCHANGE_DEV_ENDPOINTS: 'false',
      EXCHANGE_SMS_URL: 'https://sms.example/send',
    };
    expect(loadConfig(production).webhookAllowPrivate).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).webhookAllowPrivate).toBe(true);
    expect(
      loadConfig({ NODE_ENV: 'development', EXCHANGE_WEBHOOK_ALLOW_PRIVATE: 'false' })
        .webhookAllowPrivate,
    ).toBe(false);
  });
});
