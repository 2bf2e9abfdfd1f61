/**
 * The ticketing server with NODE_ENV unset is in production and serves no SMS inbox, no open
 * organizer sign-up and no demo data.
 * That it refuses to start without its secrets, with a published one or with a development-only
 * switch is tested for both servers in scripts/test/fail-closed.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEnrolmentCode, seedDemo } from '../src/demo.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

/** What production needs, and nothing that asks for development. */
const productionEnv = () => ({
  TICKETING_SECRET_KEY: randomBytes(32).toString('base64'),
  TICKETING_OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
  TICKETING_SMS_URL: 'https://sms.example/send',
});

describe.each(backends)('the ticketing server with NODE_ENV unset on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    // The harness asks for test; an empty NODE_ENV is the same as unset.
    s = await startTestSystem(backend, { NODE_ENV: '', ...productionEnv() });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('serves no SMS inbox and lets only the operator create organizers', async () => {
    expect(s.ticketing.config.environment).toBe('production');
    const inbox = await s.request('GET', '/dev/sms?phone=%2B821000000001');
    expect(inbox.status).toBe(404);
    const user = await s.signIn();
    const mine = await s.request('POST', '/v1/organizers', {
      token: user.token,
      body: { name: 'Self-made Promoter' },
    });
    expect(mine.status).toBe(403);
    expect(mine.body.error.code).toBe('organizer_signup_closed');
    const byOperator = await s.request('POST', '/v1/organizers', {
      token: s.ticketing.config.operatorToken,
      body: { name: 'Vetted Promoter', ownerPhone: user.phone },
    });
    expect(byOperator.status).toBe(201);
  });

  it('refuses to seed the demo or make its gate code', async () => {
    await expect(
      seedDemo(s.ticketing, { phone: '+821000000002', name: 'Demo' }, 'key'),
    ).rejects.toThrow('refused in production');
    await expect(demoEnrolmentCode(s.ticketing, '+821000000002')).rejects.toThrow(
      'refused in production',
    );
  });
});
