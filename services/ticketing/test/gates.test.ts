/**
 * Gate terminals through the HTTP API: enrolment, the online check of a barcode and of a manual
 * code, revocation, and the live feed. The threats, races and offline uploads have their own
 * files (gate-threats, gate-races, gate-offline).
 */

import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fromBase64url } from '@tessera/protocol';
import { protocol } from '@tessera/protocol/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buy, setupEvent } from './fixtures.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

describe.each(backends)('gate terminals on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => s?.close());

  async function enrolled(gate = 'North') {
    const setup = await setupEvent(s);
    const token = setup.organizer.owner.token;
    const made = await s.request('POST', `/v1/organizers/${setup.organizer.id}/enrolments`, {
      token,
      body: { venueId: setup.venueId, gate, performanceIds: setup.performanceIds },
    });
    expect(made.status, made.raw).toBe(201);
    expect(made.body.qrSvg).toContain('<svg');
    // Typed by a person: lower case, spaces instead of dashes.
    const typed = made.body.code.toLowerCase().replace(/-/g, ' ');
    const terminal = await s.request('POST', '/v1/terminals/enrol', {
      body: { code: typed, name: 'Gate N1' },
    });
    expect(terminal.status, terminal.raw).toBe(201);
    return { setup, code: made.body.code as string, terminal: terminal.body };
  }

  async function ticketFor(setup: Awaited<ReturnType<typeof setupEvent>>) {
    const buyer = await s.createBuyer();
    const bought = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories.Seated as string,
      quantity: 1,
    });
    expect(bought.paid?.status).toBe(200);
    const mine = await s.request('GET', '/v1/me/tickets', { token: buyer.token });
    const ticket = mine.body.tickets[0];
    return { buyer, ticket };
  }

  const atDoors = (setup: { startsAt: number }) => s.clock.set(setup.startsAt - 30 * 60_000);

  /** Opens `path` on the test server over HTTP (a live feed needs a socket): its response head. */
  async function openFeed(path: string, headers: Record<string, string> = {}) {
    await s.app.listen({ port: 0, host: '127.0.0.1' }).catch(() => {});
    const { port } = s.app.server.address() as AddressInfo;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers }, resolve);
      req.on('error', reject);
      req.end();
    });
  }

  it('enrols a terminal once with a code, and admits a live barcode once', async () => {
    const { setup, code, terminal } = await enrolled();
    expect(terminal.terminal.gate).toBe('North');
    const again = await s.request('POST', '/v1/terminals/enrol', {
      body: { code, name: 'Another' },
    });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('invalid_code');

    const { buyer, ticket } = await ticketFor(setup);
    atDoors(setup);
    const barcode = async () =>
      (
        await protocol.createPresentation(
          fromBase64url(ticket.credential),
          buyer.signer,
          Math.floor(s.clock.now() / 1000),
        )
      ).text;
    const first = await s.request('POST', '/v1/terminal/verifications', {
      token: terminal.token,
      body: {
        barcode: await barcode(),
        position: { latitude: 37.4787, longitude: 127.0116, accuracyM: 10 },
      },
    });
    expect(first.status, first.raw).toBe(200);
    expect(first.body).toMatchObject({ admitted: true, reason: 'valid' });
    expect(first.body.ticket.seat).toMatch(/^A /);
    expect(first.body.ticket.category).toBe('Seated');

    s.clock.advance(20_000);
    const second = await s.request('POST', '/v1/terminal/verifications', {
      token: terminal.token,
      body: { barcode: await barcode() },
    });
    expect(second.body).toMatchObject({ admitted: false, reason: 'already_used' });
    expect(second.body.firstAdmission).toMatchObject({ gate: 'North', latitude: 37.4787 });

    const admissions = await s.database.db
      .selectFrom('admissions')
      .selectAll()
      .where('ticket_id', '=', ticket.id)
      .execute();
    expect(admissions).toHaveLength(1);
    const audit = await s.database.db
      .selectFrom('gate_decisions')
      .select(['admitted', 'reason'])
      .where('terminal_id', '=', terminal.terminal.id)
      .orderBy('seq')
      .execute();
    expect(audit).toEqual([
      { admitted: 1, reason: 'valid' },
      { admitted: 0, reason: 'already_used' },
    ]);
  });

  it('admits by ticket number and PIN, refuses a wrong PIN, and limits guessing', async () => {
    const { setup, terminal } = await enrolled();
    const { buyer, ticket } = await ticketFor(setup);
    atDoors(setup);
    const view = await s.request('GET', `/v1/tickets/${ticket.id}`, { token: buyer.token });
    const { ticketNumber, pin } = view.body.manualCode;
    const wrongPin = pin === '000000' ? '111111' : '000000';
    const wrong = await s.request('POST', '/v1/terminal/verifications', {
      token: terminal.token,
      body: { ticketNumber, pin: wrongPin },
    });
    expect(wrong.body).toMatchObject({ admitted: false, reason: 'wrong_code' });
    const right = await s.request('POST', '/v1/terminal/verifications', {
      token: terminal.token,
      body: { ticketNumber, pin },
    });
    expect(right.body).toMatchObject({ admitted: true, reason: 'valid' });
    for (let attempt = 0; attempt < 4; attempt++) {
      await s.request('POST', '/v1/terminal/verifications', {
        token: terminal.token,
        body: { ticketNumber, pin: wrongPin },
      });
    }
    // Five wrong PINs for this ticket within the hour: even the right one waits now.
    const limited = await s.request('POST', '/v1/terminal/verifications', {
      token: terminal.token,
      body: { ticketNumber, pin },
    });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('too_many_wrong_codes');
    // The five came at one moment of the test's clock: the wait is the whole hour.
    expect(limited.headers['retry-after']).toBe('3600');
    expect(limited.body.error.details).toEqual({ retryAfterS: 3600 });
    s.clock.advance(20 * 60_000);
    const later = await s.request('POST', '/v1/terminal/verifications', {
      token: terminal.token,
      body: { ticketNumber, pin },
    });
    expect(later.headers['retry-after']).toBe('2400');
    const refusals = await s.database.db
      .selectFrom('gate_decisions')
      .select(['ticket_number', 'reason'])
      .where('terminal_id', '=', terminal.terminal.id)
      .where('reason', '=', 'too_many_wrong_codes')
      .execute();
    expect(refusals).toEqual([
      { ticket_number: ticketNumber, reason: 'too_many_wrong_codes' },
      { ticket_number: ticketNumber, reason: 'too_many_wrong_codes' },
    ]);
  });

  it('lists, renames and revokes terminals; a revoked one is refused at once', async () => {
    const { setup, terminal } = await enrolled('South');
    const token = setup.organizer.owner.token;
    const path = `/v1/organizers/${setup.organizer.id}/terminals`;
    const renamed = await s.request('PATCH', `${path}/${terminal.terminal.id}`, {
      token,
      body: { name: 'South 2' },
    });
    expect(renamed.body.name).toBe('South 2');
    const listed = await s.request('GET', path, { token });
    expect(listed.body.terminals.map((t: { name: string }) => t.name)).toEqual(['South 2']);
    // A buyer is not staff of this organizer: the organizer does not exist for them.
    const buyer = await s.createBuyer();
    expect((await s.request('GET', path, { token: buyer.token })).status).toBe(404);
    // A terminal token is not a user session.
    expect((await s.request('GET', path, { token: terminal.token })).status).toBe(403);

    const revoked = await s.request('DELETE', `${path}/${terminal.terminal.id}`, { token });
    expect(revoked.body.revokedAt).not.toBeNull();
    const refused = await s.request('POST', '/v1/terminal/verifications', {
      token: terminal.token,
      body: { ticketNumber: '1234567890', pin: '123456' },
    });
    expect(refused.status).toBe(401);
  });

  it('streams every admission of its performances to other terminals, with a replay', async () => {
    const { setup, terminal } = await enrolled();
    const { buyer, ticket } = await ticketFor(setup);
    atDoors(setup);
    const received: string[] = [];
    const stream = await openFeed('/v1/terminal/feed?since=0', {
      authorization: `Bearer ${terminal.token}`,
    });
    expect(stream.headers['content-type']).toContain('text/event-stream');
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => received.push(chunk));
    const text = (
      await protocol.createPresentation(
        fromBase64url(ticket.credential),
        buyer.signer,
        Math.floor(s.clock.now() / 1000),
      )
    ).text;
    const admitted = await s.request('POST', '/v1/terminal/verifications', {
      token: terminal.token,
      body: { barcode: text },
    });
    expect(admitted.body.admitted).toBe(true);
    for (let wait = 0; wait < 50 && !received.join('').includes('event: admission'); wait++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    stream.destroy();
    const event = received
      .join('')
      .split('\n\n')
      .find((block) => block.includes('event: admission'));
    expect(event).toBeDefined();
    const data = JSON.parse((event as string).split('data: ')[1] as string);
    expect(data).toMatchObject({ ticketId: ticket.number, gate: 'North', direction: 'entry' });
    // Times in JSON are ISO 8601 UTC strings, in the feed as in the package and the upload.
    expect(data.scannedAt).toBe(new Date(Date.parse(data.scannedAt)).toISOString());
  });

  it('opens its feed with retry:, and answers a malformed or unknown resume point with a reset and a full replay', async () => {
    const { setup, terminal } = await enrolled();
    const { buyer, ticket } = await ticketFor(setup);
    atDoors(setup);
    const text = (
      await protocol.createPresentation(
        fromBase64url(ticket.credential),
        buyer.signer,
        Math.floor(s.clock.now() / 1000),
      )
    ).text;
    const admitted = await s.request('POST', '/v1/terminal/verifications', {
      token: terminal.token,
      body: { barcode: text },
    });
    expect(admitted.body.admitted).toBe(true);
    /** The stream's text up to its first admission (the end of the replay), and its status. */
    const readFeed = async (path: string, headers: Record<string, string>) => {
      const response = await openFeed(path, {
        authorization: `Bearer ${terminal.token}`,
        ...headers,
      });
      response.setEncoding('utf8');
      let text = '';
      for await (const chunk of response) {
        text += chunk;
        if (response.statusCode !== 200 || /event: admission\n.*\n\n/.test(text)) break;
      }
      response.destroy();
      return { status: response.statusCode ?? 0, text };
    };
    // Neither is a sequence number this feed sent: malformed, or beyond the last admission.
    for (const [path, headers, reason] of [
      ['/v1/terminal/feed', { 'last-event-id': 'garbage' }, 'malformed_last_event_id'],
      ['/v1/terminal/feed?since=12abc', {}, 'malformed_last_event_id'],
      ['/v1/terminal/feed', { 'last-event-id': '999999999999' }, 'unknown_last_event_id'],
    ] as const) {
      const { status, text: feed } = await readFeed(path, headers);
      expect(status, feed).toBe(200);
      expect(feed).toMatch(/^retry: [0-9]+\n/);
      const blocks = feed.split('\n\n');
      const reset = blocks.findIndex((block) => block.includes('event: reset'));
      const admission = blocks.findIndex((block) => block.includes('event: admission'));
      expect(reset).toBeGreaterThan(-1);
      expect(blocks[reset]).toContain(`data: {"reason":"${reason}"}`);
      expect(admission).toBeGreaterThan(reset);
      const data = JSON.parse((blocks[admission] as string).split('data: ')[1] as string);
      expect(data).toMatchObject({ ticketId: ticket.number, gate: 'North' });
    }
  });

  it('opens the feed with a short-lived ticket in the URL, as a browser EventSource must', async () => {
    const { setup, terminal } = await enrolled();
    /** Opens `path` without an Authorization header: its status, and the first chunk when 200. */
    const open = async (path: string) => {
      const response = await openFeed(path);
      response.setEncoding('utf8');
      const [first] = (await once(response, 'data')) as [string];
      response.destroy();
      return { status: response.statusCode ?? 0, first };
    };
    const issued = await s.request('POST', '/v1/terminal/feed-tickets', { token: terminal.token });
    expect(issued.status, issued.raw).toBe(201);
    const { ticket, url } = issued.body as { ticket: string; url: string };
    expect(url).toMatch(/\/v1\/terminal\/feed\?ticket=/);
    const query = `/v1/terminal/feed?ticket=${encodeURIComponent(ticket)}`;
    const opened = await open(query);
    expect(opened.status).toBe(200);
    expect(opened.first).toMatch(/^retry: [0-9]+\n/);
    // Tampered, or not a ticket at all: 401 invalid_ticket.
    const tampered = `${ticket.slice(0, -2)}${ticket.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const bad of [tampered, 'nope']) {
      const refused = await open(`/v1/terminal/feed?ticket=${encodeURIComponent(bad)}`);
      expect(refused.status).toBe(401);
      expect(JSON.parse(refused.first).error.code).toBe('invalid_ticket');
    }
    // Only a terminal gets one.
    const buyer = await s.createBuyer();
    const notTerminal = await s.request('POST', '/v1/terminal/feed-tickets', {
      token: buyer.token,
    });
    expect(notTerminal.status).toBe(403);
    // A revoked terminal's ticket no longer opens the feed.
    const revoked = await s.request(
      'DELETE',
      `/v1/organizers/${setup.organizer.id}/terminals/${terminal.terminal.id}`,
      { token: setup.organizer.owner.token },
    );
    expect(revoked.status).toBe(200);
    expect((await open(query)).status).toBe(401);
    // A ticket expires after a minute.
    const other = await enrolled();
    const fresh = await s.request('POST', '/v1/terminal/feed-tickets', {
      token: other.terminal.token,
    });
    s.clock.advance(60_001);
    const late = await open(`/v1/terminal/feed?ticket=${encodeURIComponent(fresh.body.ticket)}`);
    expect(late.status).toBe(401);
  });

  it('holds at most three live feeds open per terminal, and frees one when it closes', async () => {
    const { terminal } = await enrolled();
    const feedOf = (token: string) =>
      openFeed('/v1/terminal/feed', { authorization: `Bearer ${token}` });
    const open = () => feedOf(terminal.token);
    const feeds = [await open(), await open(), await open()];
    for (const feed of feeds) expect(feed.statusCode).toBe(200);
    const fourth = await open();
    expect(fourth.statusCode).toBe(429);
    const body = await new Promise<string>((resolve) => {
      let text = '';
      fourth.setEncoding('utf8');
      fourth.on('data', (chunk: string) => {
        text += chunk;
      });
      fourth.on('end', () => resolve(text));
    });
    expect(JSON.parse(body).error).toMatchObject({ code: 'too_many_streams', details: { max: 3 } });
    // Another terminal is not held back by this one's feeds.
    const other = await enrolled();
    const its = await feedOf(other.terminal.token);
    expect(its.statusCode).toBe(200);
    its.destroy();
    // One closes: the server hears it and the terminal may open one again.
    feeds[0]?.destroy();
    await expect
      .poll(async () => {
        const again = await open();
        again.destroy();
        return again.statusCode;
      })
      .toBe(200);
    for (const feed of feeds) feed.destroy();
  });
});
