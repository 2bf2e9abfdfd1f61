import { randomBytes } from 'node:crypto';
/**
 * Webhooks cannot be aimed at the exchange's own network: every address a delivery connects to
 * is classified at connect time (IPv4-mapped, NAT64, 6to4 and the odd IPv4 spellings included),
 * a name that resolves public to one check and private to the connection (DNS rebinding) is
 * refused, redirects are not followed, and nothing of a receiver's answer is kept.
 *
 * The internal service is a real HTTP server on loopback; each test counts what reached it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { AddressPolicy } from '../src/notifications/address-policy.ts';
import { type Resolve, WebhookTransport } from '../src/notifications/webhook-transport.ts';
import { attemptDelivery } from '../src/notifications/webhooks.ts';

/** A real HTTP server: counts requests and answers with `answer` (a secret-looking body). */
async function httpServer(
  host: string,
  answer: (response: import('node:http').ServerResponse) => void = (response) => {
    response.statusCode = 500;
    response.end('INTERNAL-SECRET-admin-token-4242');
  },
) {
  let received = 0;
  const server: Server = createServer((request, response) => {
    received += 1;
    request.resume();
    answer(response);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get received() {
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Internal = Awaited<ReturnType<typeof httpServer>>;

function deliver(url: string, transport: WebhookTransport) {
  return attemptDelivery({
    url,
    secret: 'whsec_test',
    eventId: 'evt_test',
    body: '{}',
    timestampS: 1,
    timeoutMs: 5_000,
    transport,
  });
}

describe('webhook address classification', () => {
  const policy = new AddressPolicy();

  it('refuses every non-public form, whatever the spelling', () => {
    for (const inside of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '198.18.0.1',
      '192.0.2.1',
      '203.0.113.9',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a00:1',
      '::7f00:1',
      '64:ff9b::7f00:1',
      '64:ff9b::a00:1',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b:1::808:808',
      '2002:7f00:1::',
      '2002:a00:1::1',
      '2001::1',
      '2001:db8::1',
      'not-an-ip',
    ]) {
      expect(policy.check(inside).allowed, inside).toBe(false);
    }
  });

  it('lets public addresses through, IPv4 inside IPv6 forms included', () => {
    for (const outside of [
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2001:4860:4860::8888',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '2002:808:808::1',
    ]) {
      expect(policy.check(outside).allowed, outside).toBe(true);
    }
  });

  it('allows private networks only when named, or everything when told to', () => {
    const named = new AddressPolicy({ allowedNetworks: ['127.0.0.1/32', 'fd00::/64'] });
    expect(named.check('127.0.0.1').allowed).toBe(true);
    expect(named.check('::ffff:127.0.0.1').allowed).toBe(true);
    expect(named.check('127.0.0.2').allowed).toBe(false);
    expect(named.check('fd00::5').allowed).toBe(true);
    expect(named.check('fd01::5').allowed).toBe(false);
    expect(new AddressPolicy({ allowPrivate: true }).check('10.0.0.1').allowed).toBe(true);
  });
});

describe('webhook delivery refuses internal addresses at connect time', () => {
  let internal: Internal;
  const transport = new WebhookTransport();
  beforeAll(async () => {
    internal = await httpServer('127.0.0.1');
  });
  afterAll(async () => {
    await transport.close();
    await internal.close();
  });

  // Each form as a merchant could register it; the loopback ones carry the port where the
  // internal service really listens, so a slip would reach it.
  const forms: [string, (port: number) => string][] = [
    ['IPv4-mapped IPv6 in hex', (port) => `http://[::ffff:7f00:1]:${port}/`],
    ['IPv4-mapped IPv6 dotted', (port) => `http://[::ffff:127.0.0.1]:${port}/`],
    ['NAT64 of loopback', (port) => `http://[64:ff9b::7f00:1]:${port}/`],
    ['NAT64 of 10.0.0.1', (port) => `http://[64:ff9b::a00:1]:${port}/`],
    ['6to4 of loopback', (port) => `http://[2002:7f00:1::]:${port}/`],
    ['IPv6 loopback', (port) => `http://[::1]:${port}/`],
    ['hex and short IPv4', (port) => `http://0x7f.1:${port}/`],
    ['IPv4 as one integer', (port) => `http://2130706433:${port}/`],
    ['zero', (port) => `http://0:${port}/`],
    ['short IPv4', (port) => `http://127.1:${port}/`],
    ['cloud metadata', () => 'http://169.254.169.254/'],
    ['carrier-grade NAT', () => 'http://100.64.0.1/'],
    ['unique local IPv6', () => 'http://[fd00::1]/'],
    ['link-local IPv6', () => 'http://[fe80::1]/'],
  ];

  it.each(forms)('refuses %s without connecting', async (_name, form) => {
    const result = await deliver(form(internal.port), transport);
    expect(result).toMatchObject({ ok: false, statusCode: null });
    expect(result.error).toMatch(/^refused: .* is not a public address \(/);
    expect(internal.received).toBe(0);
  });
});

describe('webhook delivery and names, redirects and answers', () => {
  let internal: Internal;
  let receiver: Internal;
  beforeAll(async () => {
    // The internal service on 127.0.0.2; the merchant's receiver on 127.0.0.1, which these
    // tests name as allowed (it stands for a public host).
    internal = await httpServer('127.0.0.2');
    receiver = await httpServer('127.0.0.1', (response) => {
      response.statusCode = 307;
      response.setHeader('location', `http://127.0.0.2:${internal.port}/admin`);
      response.end('moved: see the INTERNAL-SECRET-admin-token-4242');
    });
  });
  afterAll(async () => {
    await internal.close();
    await receiver.close();
  });

  it('refuses a name that answers public to the registration check and private at connect (DNS rebinding)', async () => {
    let calls = 0;
    const rebinding: Resolve = async () => {
      calls += 1;
      return calls === 1
        ? [{ address: '93.184.216.34', family: 4 }]
        : [{ address: '127.0.0.2', family: 4 }];
    };
    const transport = new WebhookTransport({
      resolve: rebinding,
      allowedNetworks: ['127.0.0.1/32'],
    });
    try {
      const url = `http://rebind.shop.example:${internal.port}/hook`;
      // The check at registration sees the public answer...
      expect(await transport.refusalOf(new URL(url))).toBeUndefined();
      // ...and the connection, resolved again, is refused: the internal service sees nothing.
      const result = await deliver(url, transport);
      expect(result).toMatchObject({ ok: false, statusCode: null });
      expect(result.error).toBe('refused: 127.0.0.2 is not a public address (loopback)');
      expect(calls).toBe(2);
      expect(internal.received).toBe(0);
    } finally {
      await transport.close();
    }
  });

  it('refuses a name with one public and one private answer', async () => {
    const transport = new WebhookTransport({
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.2', family: 4 },
      ],
    });
    try {
      const result = await deliver(`http://mixed.shop.example:${internal.port}/`, transport);
      expect(result.error).toMatch(/^refused: 127\.0\.0\.2/);
      expect(internal.received).toBe(0);
    } finally {
      await transport.close();
    }
  });

  it('connects to the checked answer of an allowed name', async () => {
    const transport = new WebhookTransport({
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      allowedNetworks: ['127.0.0.1/32'],
    });
    try {
      const before = receiver.received;
      const result = await deliver(`http://shop.example:${receiver.port}/hook`, transport);
      expect(receiver.received).toBe(before + 1);
      expect(result.statusCode).toBe(307);
    } finally {
      await transport.close();
    }
  });

  it('follows no redirect (here to a private address) and keeps none of the answer', async () => {
    const transport = new WebhookTransport({ allowedNetworks: ['127.0.0.1/32'] });
    try {
      const result = await deliver(`http://127.0.0.1:${receiver.port}/hook`, transport);
      expect(result).toMatchObject({
        ok: false,
        statusCode: 307,
        error: 'HTTP 307: redirect not followed',
      });
      expect(internal.received).toBe(0);
    } finally {
      await transport.close();
    }
  });

  it("keeps the status and a reason of ours, never the receiver's body", async () => {
    const transport = new WebhookTransport({ allowedNetworks: ['127.0.0.2/32'] });
    try {
      const result = await deliver(`http://127.0.0.2:${internal.port}/`, transport);
      expect(result).toMatchObject({ ok: false, statusCode: 500, error: 'HTTP 500' });
      expect(JSON.stringify(result)).not.toContain('INTERNAL-SECRET');
    } finally {
      await transport.close();
    }
  });
});

describe('webhook target configuration', () => {
  const production = {
    NODE_ENV: 'production',
    EXCHANGE_SECRET_KEY: randomBytes(32).toString('hex'),
    EXCHANGE_OPERATOR_TOKEN: 'operator-token-of-enough-length',
    EXCHANGE_DEV_ENDPOINTS: 'false',
    EXCHANGE_SMS_URL: 'https://sms.example/send',
  };

  it('allows private targets by default only in explicit development', () => {
    expect(loadConfig(production).webhookAllowPrivate).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test' }).webhookAllowPrivate).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).webhookAllowPrivate).toBe(true);
    expect(
      loadConfig({ NODE_ENV: 'development', EXCHANGE_WEBHOOK_ALLOW_PRIVATE: 'false' })
        .webhookAllowPrivate,
    ).toBe(false);
  });

  it('refuses the switch in production, and takes named networks instead', () => {
    expect(() => loadConfig({ ...production, EXCHANGE_WEBHOOK_ALLOW_PRIVATE: 'true' })).toThrow(
      /EXCHANGE_WEBHOOK_ALLOW_PRIVATE=true is refused in production/,
    );
    expect(() =>
      loadConfig({ ...production, EXCHANGE_WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/99' }),
    ).toThrow(/EXCHANGE_WEBHOOK_ALLOWED_NETWORKS/);
    expect(
      loadConfig({ ...production, EXCHANGE_WEBHOOK_ALLOWED_NETWORKS: '10.1.2.0/24, fd00::/64' })
        .webhookAllowedNetworks,
    ).toEqual(['10.1.2.0/24', 'fd00::/64']);
  });
});
