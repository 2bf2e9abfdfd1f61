import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signerFor } from '../src/organizers/keys.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

describe.each(backends)('organizers, staff and the wallet link on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('creates an organizer with an owner, a signing key and a linked wallet kept sealed', async () => {
    const org = await s.createOrganizer('Busan Philharmonic');
    const view = await s.request('GET', `/v1/organizers/${org.id}`, { token: org.owner.token });
    expect(view.status).toBe(200);
    expect(view.body.keys).toHaveLength(1);
    expect(view.body.keys[0].publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(view.body.wallet.merchantId).toBe(org.merchant.id);
    const stored = await s.database.db
      .selectFrom('wallet_links')
      .selectAll()
      .where('organizer_id', '=', org.id)
      .executeTakeFirstOrThrow();
    // Sealed: neither the API key nor the webhook secret is in the row in the clear.
    expect(stored.api_key).not.toContain(org.apiKey);
    expect(stored.api_key).not.toContain('xk_');
    expect(stored.webhook_secret).not.toContain('whsec_');
    // The exchange now sends this merchant's webhooks to the ticketing server.
    const hook = await s.x.request('GET', '/v1/merchant/webhook', { token: org.merchant.token });
    expect(hook.body.url).toContain(`/v1/exchange/webhooks/${org.id}`);
  });

  it('refuses a key the exchange does not know, or one of a person account', async () => {
    const org = await s.createOrganizer();
    const bogus = await s.request('PUT', `/v1/organizers/${org.id}/wallet`, {
      token: org.owner.token,
      body: { apiKey: `xk_${'A'.repeat(43)}` },
    });
    expect(bogus.status).toBe(400);
    expect(bogus.body.error.code).toBe('invalid_api_key');
  });

  it('enforces roles: a gate member cannot link wallets or manage staff; other organizers see nothing', async () => {
    const org = await s.createOrganizer();
    const gate = await s.signIn();
    const added = await s.request(
      'PUT',
      `/v1/organizers/${org.id}/staff/${encodeURIComponent(gate.phone)}`,
      {
        token: org.owner.token,
        body: { role: 'gate' },
      },
    );
    expect(added.status).toBe(200);
    expect((await s.request('GET', `/v1/organizers/${org.id}`, { token: gate.token })).status).toBe(
      200,
    );
    const staffList = await s.request('GET', `/v1/organizers/${org.id}/staff`, {
      token: gate.token,
    });
    expect(staffList.status).toBe(403);
    const link = await s.request('PUT', `/v1/organizers/${org.id}/wallet`, {
      token: gate.token,
      body: { apiKey: org.apiKey },
    });
    expect(link.status).toBe(403);

    const other = await s.createOrganizer('Other');
    const peek = await s.request('GET', `/v1/organizers/${org.id}`, { token: other.owner.token });
    expect(peek.status).toBe(404);
    const stranger = await s.signIn();
    expect(
      (await s.request('GET', `/v1/organizers/${org.id}`, { token: stranger.token })).status,
    ).toBe(404);
    expect((await s.request('GET', `/v1/organizers/${org.id}`)).status).toBe(401);
  });

  it('keeps the last owner and rotates keys', async () => {
    const org = await s.createOrganizer();
    const demote = await s.request(
      'PUT',
      `/v1/organizers/${org.id}/staff/${encodeURIComponent(org.owner.phone)}`,
      { token: org.owner.token, body: { role: 'manager' } },
    );
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe('last_owner');
    const rotated = await s.request('POST', `/v1/organizers/${org.id}/keys`, {
      token: org.owner.token,
    });
    expect(rotated.status).toBe(201);
    const view = await s.request('GET', `/v1/organizers/${org.id}`, { token: org.owner.token });
    expect(view.body.keys.filter((k: { status: string }) => k.status === 'active')).toHaveLength(2);
    const first = view.body.keys[0].id;
    const retired = await s.request('POST', `/v1/organizers/${org.id}/keys/${first}/retire`, {
      token: org.owner.token,
    });
    expect(retired.status).toBe(200);
    expect(retired.body.status).toBe('retired');
  });

  it('never lets concurrent retirements leave an organizer without an active key', async () => {
    const org = await s.createOrganizer();
    const count = 15;
    // The organizer starts with one key; make it `count`, then retire all of them at once.
    for (let i = 1; i < count; i++) {
      const added = await s.request('POST', `/v1/organizers/${org.id}/keys`, {
        token: org.owner.token,
      });
      expect(added.status).toBe(201);
    }
    const before = await s.request('GET', `/v1/organizers/${org.id}`, { token: org.owner.token });
    const ids = (before.body.keys as { id: string; status: string }[])
      .filter((k) => k.status === 'active')
      .map((k) => k.id);
    expect(ids).toHaveLength(count);
    const answers = await Promise.all(
      ids.map((id) =>
        s.request('POST', `/v1/organizers/${org.id}/keys/${id}/retire`, {
          token: org.owner.token,
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(count - 1);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.status).toBe(409);
    expect(refused[0]?.body.error.code).toBe('last_key');
    const after = await s.request('GET', `/v1/organizers/${org.id}`, { token: org.owner.token });
    expect(after.body.keys.filter((k: { status: string }) => k.status === 'active')).toHaveLength(
      1,
    );
    // And the organizer still signs tickets with the key that remains.
    expect((await signerFor(s.ticketing, org.id)).keyRowId).toBe(
      after.body.keys.find((k: { status: string }) => k.status === 'active').id,
    );
  });

  it('registers device keys only with a proof of possession', async () => {
    const user = await s.signIn();
    const device = await s.registerDevice(user);
    expect(device.deviceId).toMatch(/^dev_/);
    const other = await s.signIn();
    // Replaying another user's registration (their key and proof) fails: the proof names the user.
    const list = await s.request('GET', '/v1/me/devices', { token: user.token });
    const publicKey = list.body.devices[0].publicKey;
    const stolen = await s.request('POST', '/v1/me/devices', {
      token: other.token,
      body: { publicKey, proof: 'A'.repeat(86) },
    });
    expect(stolen.status).toBe(400);
    expect(stolen.body.error.code).toBe('invalid_device_proof');
  });
});

describe('ticketing configuration', () => {
  it('lists every bad variable at once, and production needs its secrets and an SMS gateway', async () => {
    const { loadConfig, ConfigError } = await import('../src/config.ts');
    try {
      loadConfig({
        NODE_ENV: 'production',
        TICKETING_PORT: 'eighty',
        TICKETING_HOLD_TTL_S: '40',
        TICKETING_DATABASE_SCHEMA: 'Bad-Name',
        DATABASE_URL: 'mysql://x',
      });
      expect.unreachable('a bad configuration must throw');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as InstanceType<typeof ConfigError>).problems.join('\n');
      for (const name of [
        'TICKETING_PORT',
        'TICKETING_HOLD_TTL_S',
        'TICKETING_DATABASE_SCHEMA',
        'DATABASE_URL',
        'TICKETING_SECRET_KEY',
        'TICKETING_OPERATOR_TOKEN',
        'TICKETING_SMS_URL',
      ]) {
        expect(problems).toContain(name);
      }
    }
    const production = loadConfig({
      NODE_ENV: 'production',
      TICKETING_SECRET_KEY: randomBytes(32).toString('hex'),
      TICKETING_OPERATOR_TOKEN: 'operator-token-of-enough-length',
      TICKETING_SMS_URL: 'https://sms.example/send',
    });
    expect(production.devEndpoints).toBe(false);
    expect(production.openOrganizerSignup).toBe(false);
  });

  it('refuses a hold too short for an order after the payment margin, saying what would do', async () => {
    const { loadConfig, ConfigError } = await import('../src/config.ts');
    const { holdTtlMinS, orderPayWindowMinS } = await import('../src/orders/pay-window.ts');
    // Each value is inside its own range, yet every order would fail with hold_expiring.
    const problemsOf = (env: Record<string, string>) => {
      try {
        loadConfig({ NODE_ENV: 'test', ...env });
        return '';
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as InstanceType<typeof ConfigError>).problems.join('\n');
      }
    };
    const tooShort = problemsOf({ TICKETING_HOLD_TTL_S: '60' });
    expect(tooShort).toContain(
      'TICKETING_HOLD_TTL_S=60 is too short for TICKETING_PAYMENT_MARGIN_S=30',
    );
    expect(tooShort).toContain(`more than ${orderPayWindowMinS} s left to pay`);
    expect(tooShort).toContain(`at least ${holdTtlMinS(30)}`);
    expect(problemsOf({ TICKETING_HOLD_TTL_S: String(holdTtlMinS(30) - 1) })).toContain(
      'TICKETING_HOLD_TTL_S',
    );
    expect(problemsOf({ TICKETING_HOLD_TTL_S: String(holdTtlMinS(30)) })).toBe('');
    // A longer margin needs a longer hold; a short one lets a one-minute hold through.
    expect(
      problemsOf({ TICKETING_HOLD_TTL_S: '600', TICKETING_PAYMENT_MARGIN_S: '580' }),
    ).toContain('TICKETING_PAYMENT_MARGIN_S=580');
    expect(problemsOf({ TICKETING_HOLD_TTL_S: '60', TICKETING_PAYMENT_MARGIN_S: '5' })).toBe('');
  });
});
