import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  isStandardSecret,
  legacySignature,
  newWebhookSecret,
  verifyWebhook,
  webhookFor,
  webhookHeaders,
} from '../src/webhook-signature.ts';

/** `Webhook.verify` of the reference library, run as if the wall clock read `nowS`. */
function libraryVerifies(
  webhook: Webhook,
  body: string,
  headers: Record<string, string>,
  nowS: number,
) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(nowS * 1000);
  try {
    webhook.verify(body, headers);
    return true;
  } catch {
    return false;
  } finally {
    vi.useRealTimers();
  }
}

/** How a receiver verified the legacy `Tessera-Signature` (the code merchants copied). */
function legacyVerifies(secret: string, header: string, body: string, nowS: number) {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match || Math.abs(nowS - Number(match[1])) > 300) return false;
  const mac = createHmac('sha256', secret).update(`${match[1]}.`).update(body).digest('hex');
  return mac === match[2];
}

describe('Standard Webhooks signatures', () => {
  const body = '{"id":"evt_1","type":"transfer.received","createdAt":"x","data":{}}';
  const t = 1_800_000_000;
  afterEach(() => vi.useRealTimers());

  it("signs the specification's test vector", () => {
    // From the Standard Webhooks specification's reference tests.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const payload = '{"test": 2432232314}';
    const headers = webhookHeaders(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, payload);
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('makes secrets the reference library accepts: whsec_ and base64 of 32 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(isStandardSecret(secret)).toBe(true);
    expect(newWebhookSecret()).not.toBe(secret);
    expect(() => new Webhook(secret)).not.toThrow();
  });

  it('is verified by Webhook.verify within 5 minutes either way, and by nothing else', () => {
    const secret = newWebhookSecret();
    const headers = webhookHeaders(secret, 'evt_1', t, body);
    expect(Object.keys(headers).sort()).toEqual([
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ]);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    const merchant = new Webhook(secret);
    const cases: [string, Record<string, string>, string, number, boolean][] = [
      ['as sent', headers, body, t, true],
      ['5 minutes later', headers, body, t + 300, true],
      ['5 minutes earlier', headers, body, t - 300, true],
      ['too late', headers, body, t + 301, false],
      ['too early', headers, body, t - 301, false],
      ['another body', headers, body.replace('{}', '{"a":1}'), t, false],
      ['another id', { ...headers, 'webhook-id': 'evt_2' }, body, t, false],
      ['moved timestamp', { ...headers, 'webhook-timestamp': String(t + 10) }, body, t, false],
      ['no signature', { ...headers, 'webhook-signature': '' }, body, t, false],
      ['no id', { ...headers, 'webhook-id': '' }, body, t, false],
      ['bad timestamp', { ...headers, 'webhook-timestamp': 'x' }, body, t, false],
      [
        'several signatures, one good',
        { ...headers, 'webhook-signature': `v1,AAAA ${headers['webhook-signature']}` },
        body,
        t,
        true,
      ],
      ['a v1a signature', { ...headers, 'webhook-signature': 'v1a,AAAA' }, body, t, false],
    ];
    for (const [name, given, payload, nowS, ok] of cases) {
      // Ours (the ticketing server's, on its injected clock) and the library agree.
      expect([name, verifyWebhook(secret, given, payload, nowS)]).toEqual([name, ok]);
      expect([name, libraryVerifies(merchant, payload, given, nowS)]).toEqual([name, ok]);
    }
    expect(verifyWebhook(secret, headers, Buffer.from(body), t)).toBe(true);
    expect(verifyWebhook(newWebhookSecret(), headers, body, t)).toBe(false);
    expect(libraryVerifies(new Webhook(newWebhookSecret()), body, headers, t)).toBe(false);
  });

  it('signs for a legacy secret both ways until it is rotated', () => {
    // A secret issued before Standard Webhooks: base64url of 32 bytes, never padded base64.
    const legacy = 'whsec_-h9EaY6z2P0iR2yRttsAJUpvlLneAyhNcpe84QYrUHU';
    expect(legacy).toHaveLength(6 + 43);
    expect(isStandardSecret(legacy)).toBe(false);
    // A merchant who hands it to the library as a standard secret is refused (or, when it has
    // no '-' or '_', gets a key that matches nothing)...
    expect(() => new Webhook(legacy).sign('evt_1', new Date(t * 1000), body)).toThrow();
    const headers = webhookHeaders(legacy, 'evt_1', t, body);
    // ...so the legacy headers go out as before, byte for byte what receivers verify today,
    expect(headers['Tessera-Event-Id']).toBe('evt_1');
    expect(headers['Tessera-Signature']).toBe(legacySignature(legacy, t, body));
    expect(legacyVerifies(legacy, headers['Tessera-Signature'] as string, body, t)).toBe(true);
    // and the standard ones are keyed with the secret's own bytes: { format: 'raw' }.
    expect(libraryVerifies(new Webhook(legacy, { format: 'raw' }), body, headers, t)).toBe(true);
    expect(verifyWebhook(legacy, headers, body, t)).toBe(true);
    expect(webhookFor(legacy).sign('evt_1', new Date(t * 1000), body)).toBe(
      headers['webhook-signature'],
    );
    // A standard secret sends only the standard headers.
    expect(webhookHeaders(newWebhookSecret(), 'evt_1', t, body)).not.toHaveProperty(
      'Tessera-Signature',
    );
  });
});
