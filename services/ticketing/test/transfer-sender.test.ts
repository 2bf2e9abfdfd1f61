/**
 * Issue 21, item 13: the recipient of a transfer is told who sends it. The transfer answer carries
 * the sender's phone masked (never the whole number) beside their first name, and the SMS to the
 * recipient names the sender: the first name if they gave one, else the masked number.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskPhone, senderLabel } from '../src/after-sale/transfers/sender.ts';
import { buy, setupEvent } from './fixtures.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

describe('masking a phone number', () => {
  it.each([
    ['+821012345678', '010-****-5678'],
    ['+82212345678', '021-***-5678'],
    ['+447911123456', '+4479****3456'],
    ['+12025550123', '+1202****0123'],
    ['+1234', '****34'],
  ])('%s reads %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
    expect(maskPhone(phone)).not.toContain(phone.slice(-8, -4));
  });

  it('names the sender by first name, else by the masked number', () => {
    expect(senderLabel({ fromName: 'Minji', fromPhone: '010-****-5678' })).toBe('Minji');
    expect(senderLabel({ fromName: null, fromPhone: '010-****-5678' })).toBe('010-****-5678');
  });
});

describe.each(backends)('who sends a transfer, on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("tells the recipient the sender's name or masked number, never the whole number", async () => {
    const setup = await setupEvent(s, { name: 'Autumn Gala', rows: 1, seatsPerRow: 4 });
    const performanceId = setup.performanceIds[0] as string;
    const sender = await s.createBuyer();
    const recipient = await s.signIn();
    const categoryId = Object.values(setup.categories)[0] as string;
    const bought = await buy(s, sender, { performanceId, categoryId, quantity: 2 });
    expect(bought.paid?.status).toBe(200);
    const mine = await s.request('GET', '/v1/me/tickets', { token: sender.token });
    const [first, second] = mine.body.tickets.map((ticket: { id: string }) => ticket.id);
    const national = `0${sender.phone.slice(3)}`;
    const masked = `${national.slice(0, 3)}-****-${national.slice(-4)}`;

    // No name given: the masked number, in the answer and in the SMS.
    const offered = await s.request('POST', `/v1/tickets/${first}/transfers`, {
      token: sender.token,
      body: { toPhone: recipient.phone },
    });
    expect(offered.status).toBe(201);
    expect(offered.body).toMatchObject({ fromName: null, fromPhone: masked });
    const sms = s.sms.messages(recipient.phone).at(-1)?.text ?? '';
    expect(sms).toContain(`${masked} is giving you a ticket for Autumn Gala`);
    expect(sms).not.toContain(sender.phone.slice(-8));

    const inbox = await s.request('GET', '/v1/me/transfers', { token: recipient.token });
    expect(inbox.status).toBe(200);
    expect(inbox.body.incoming).toHaveLength(1);
    expect(inbox.body.incoming[0]).toMatchObject({ fromName: null, fromPhone: masked });
    expect(JSON.stringify(inbox.body)).not.toContain(sender.phone);
    expect(JSON.stringify(inbox.body)).not.toContain(national);

    // With a first name (given at the next sign-in): the name, and still the masked number.
    await s.signIn(sender.phone, 'Minji');
    const named = await s.request('POST', `/v1/tickets/${second}/transfers`, {
      token: sender.token,
      body: { toPhone: recipient.phone },
    });
    expect(named.status).toBe(201);
    expect(named.body).toMatchObject({ fromName: 'Minji', fromPhone: masked });
    expect(s.sms.messages(recipient.phone).at(-1)?.text).toContain(
      'Minji is giving you a ticket for Autumn Gala',
    );
    const both = await s.request('GET', '/v1/me/transfers', { token: recipient.token });
    expect(
      both.body.incoming.map((t: { fromName: string | null; fromPhone: string }) => [
        t.fromName,
        t.fromPhone,
      ]),
    ).toEqual([
      ['Minji', masked],
      ['Minji', masked],
    ]);
  });
});
