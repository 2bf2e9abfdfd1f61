/**
 * Issue 20 items 1 and 4 on the server: a terminal says what it is and where it was on its calls
 * (Tessera-Device, Tessera-App-Version, Tessera-Position), staff see it in the terminal list with
 * whether it is online and whether its last fix is outside the venue; bad headers are ignored;
 * the details are not written on every call. A close forced while terminals are outstanding needs
 * a reason, kept and reported with who closed. And a terminal revoked through one instance is
 * refused by another at once, its open feed there ended.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectJson } from '../../../scripts/test/inject.ts';
import { maskPhone } from '../src/after-sale/transfers/sender.ts';
import { buildApp } from '../src/app.ts';
import { main } from '../src/cli/organizer.ts';
import { createTicketing, type Ticketing } from '../src/context.ts';
import { startInstanceBus } from '../src/instance-bus.ts';
import { allRoutes } from '../src/routes.ts';
import { fixWriteEveryMs } from '../src/terminals/details.ts';
import { onlineWindowMs } from '../src/terminals/view.ts';
import { type EventSetup, setupEvent } from './fixtures.ts';
import { enrolTerminal, type Terminal } from './gate-kit.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

/** The venue of `setupEvent` (radius 300 m), and 500 m due north of it. */
const venue = { latitude: 37.4786, longitude: 127.0115 };
const northBy500m = venue.latitude + 500 / 111_195;
/** The gate app's origin, which CORS allows. */
const gateOrigin = 'http://gate.test:5174';

interface TerminalView {
  id: string;
  device: string | null;
  appVersion: string | null;
  lastFix: { latitude: number; longitude: number; accuracyM: number | null; at: string } | null;
  online: boolean;
  outsideVenue: boolean | null;
  lastSeenAt: string | null;
}

describe.each(backends)('terminal details on %s', (backend) => {
  let s: TestSystem;
  let setup: EventSetup;
  beforeAll(async () => {
    s = await startTestSystem(backend, { TICKETING_CORS_ORIGINS: gateOrigin });
    setup = await setupEvent(s);
  });
  afterAll(async () => {
    await s?.close();
  });

  const position = (latitude: number, longitude: number, accuracyM: number, at = s.clock.now()) =>
    `${latitude},${longitude},${accuracyM},${at}`;
  /** A periodic sync of the gate app: the package call, with the headers given. */
  const sync = (terminal: Terminal, headers: Record<string, string>) =>
    s.request('GET', '/v1/terminal/package?pending=0', { token: terminal.token, headers });
  const listed = async (terminal: Terminal): Promise<TerminalView> => {
    const list = await s.request('GET', `/v1/organizers/${setup.organizer.id}/terminals`, {
      token: setup.organizer.owner.token,
    });
    expect(list.status, list.raw).toBe(200);
    const found = list.body.terminals.find((t: TerminalView) => t.id === terminal.id);
    if (!found) throw new Error(`terminal ${terminal.id} is not listed`);
    return found;
  };

  it('stores what the headers say and shows it, the fix judged against the venue', async () => {
    const terminal = await enrolTerminal(s, setup);
    const fresh = await listed(terminal);
    expect(fresh).toMatchObject({ device: null, appVersion: null, lastFix: null });
    expect(fresh.outsideVenue).toBeNull();
    expect(fresh.online).toBe(true);

    const fixAt = s.clock.now() - 4_000;
    const synced = await sync(terminal, {
      'tessera-device': 'Android 14 - Chrome 131',
      'tessera-app-version': '0.1.0',
      'tessera-position': position(venue.latitude, venue.longitude, 12.5, fixAt),
    });
    expect(synced.status, synced.raw).toBe(200);
    const shown = await listed(terminal);
    expect(shown).toMatchObject({
      device: 'Android 14 - Chrome 131',
      appVersion: '0.1.0',
      lastFix: {
        latitude: venue.latitude,
        longitude: venue.longitude,
        accuracyM: 12.5,
        at: new Date(fixAt).toISOString(),
      },
      online: true,
      outsideVenue: false,
    });
  });

  it('judges a fix outside the venue with its accuracy, as admissions are judged', async () => {
    const terminal = await enrolTerminal(s, setup);
    // 500 m from the centre, 100 m sure: even at its best it is 400 m out, past the 300 m radius.
    await sync(terminal, { 'tessera-position': position(northBy500m, venue.longitude, 100) });
    expect(await listed(terminal)).toMatchObject({
      outsideVenue: true,
      lastFix: { accuracyM: 100 },
    });
    // The same place, 250 m sure: it may be within 300 m, so it is not flagged.
    s.clock.advance(fixWriteEveryMs);
    await sync(terminal, { 'tessera-position': position(northBy500m, venue.longitude, 250) });
    expect(await listed(terminal)).toMatchObject({
      outsideVenue: false,
      lastFix: { accuracyM: 250 },
    });
  });

  it('ignores bad headers (the call still answers) and keeps what it had', async () => {
    const terminal = await enrolTerminal(s, setup);
    const good = {
      'tessera-device': 'iOS 18 Safari',
      'tessera-app-version': '0.1.0',
      'tessera-position': position(venue.latitude, venue.longitude, 10),
    };
    expect((await sync(terminal, good)).status).toBe(200);
    const before = await listed(terminal);
    // Long enough that a good newer fix would be written now.
    s.clock.advance(fixWriteEveryMs + 1);
    const now = s.clock.now();
    const bad: Record<string, string>[] = [
      { 'tessera-device': 'x'.repeat(121) },
      { 'tessera-device': '   ' },
      { 'tessera-app-version': '1.0 beta' },
      { 'tessera-app-version': `1.${'0'.repeat(40)}` },
      { 'tessera-app-version': '<script>' },
      { 'tessera-position': position(91, 127, 10, now) },
      { 'tessera-position': position(37.5, 181, 10, now) },
      { 'tessera-position': `37.5,127,-5,${now}` },
      { 'tessera-position': position(37.5, 127, 100_001, now) },
      { 'tessera-position': position(37.5, 127, 10, now + 3_600_000) },
      { 'tessera-position': position(37.5, 127, 10, Date.UTC(2019, 0, 1)) },
      { 'tessera-position': '37.5,127,10' },
      { 'tessera-position': `NaN,127,10,${now}` },
      { 'tessera-position': `1e2,127,10,${now}` },
      { 'tessera-position': `37.5,127,10,${now},9` },
      { 'tessera-position': `${'1'.repeat(200)}` },
    ];
    for (const headers of bad) {
      const answer = await sync(terminal, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(200);
    }
    expect(await listed(terminal)).toEqual({ ...before, lastSeenAt: expect.any(String) });
    // The same call with good headers is written: the bad ones were refused, not throttled.
    await sync(terminal, { 'tessera-position': position(37.47, 127.01, 8, now) });
    expect((await listed(terminal)).lastFix).toMatchObject({ latitude: 37.47, accuracyM: 8 });
  });

  it('writes a newer fix at most every 30 s, a new device or version at once', async () => {
    const terminal = await enrolTerminal(s, setup);
    await sync(terminal, {
      'tessera-app-version': '0.1.0',
      'tessera-position': position(37.4781, 127.0111, 10),
    });
    s.clock.advance(fixWriteEveryMs - 1_000);
    await sync(terminal, {
      'tessera-app-version': '0.2.0',
      'tessera-position': position(37.4782, 127.0112, 10),
    });
    // The version changed and is written; the fix is not 30 s newer than the last written.
    expect(await listed(terminal)).toMatchObject({
      appVersion: '0.2.0',
      lastFix: { latitude: 37.4781 },
    });
    s.clock.advance(1_000);
    await sync(terminal, { 'tessera-position': position(37.4783, 127.0113, 10) });
    expect((await listed(terminal)).lastFix).toMatchObject({ latitude: 37.4783 });
    // An older fix (a queued request arriving late) never replaces a newer one.
    s.clock.advance(fixWriteEveryMs);
    await sync(terminal, {
      'tessera-position': position(37.4784, 127.0114, 10, s.clock.now() - 60_000),
    });
    expect((await listed(terminal)).lastFix).toMatchObject({ latitude: 37.4783 });
  });

  it('is online while seen within the window, offline after it and once revoked', async () => {
    const terminal = await enrolTerminal(s, setup);
    await sync(terminal, {});
    s.clock.advance(onlineWindowMs);
    expect((await listed(terminal)).online).toBe(true);
    s.clock.advance(1);
    expect((await listed(terminal)).online).toBe(false);
    await sync(terminal, {});
    expect((await listed(terminal)).online).toBe(true);
    const revoked = await s.request(
      'DELETE',
      `/v1/organizers/${setup.organizer.id}/terminals/${terminal.id}`,
      { token: setup.organizer.owner.token },
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body.online).toBe(false);
    expect((await listed(terminal)).online).toBe(false);
  });

  it('lets a terminal tell it at enrolment, and allows the headers across origins', async () => {
    const created = await s.request('POST', `/v1/organizers/${setup.organizer.id}/enrolments`, {
      token: setup.organizer.owner.token,
      body: { venueId: setup.venueId, gate: 'East', performanceIds: setup.performanceIds },
    });
    const enrolled = await s.request('POST', '/v1/terminals/enrol', {
      body: { code: created.body.code, name: 'East 1' },
      headers: { 'tessera-device': 'Android 15 Chrome 132', 'tessera-app-version': '0.3.0' },
    });
    expect(enrolled.status, enrolled.raw).toBe(201);
    expect(enrolled.body.terminal).toMatchObject({
      device: 'Android 15 Chrome 132',
      appVersion: '0.3.0',
      lastFix: null,
      online: true,
    });
    const preflight = await s.app.inject({
      method: 'OPTIONS',
      url: '/v1/terminal/package',
      headers: {
        origin: gateOrigin,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,tessera-device,tessera-position',
      },
    });
    const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase();
    for (const header of ['tessera-app-version', 'tessera-device', 'tessera-position']) {
      expect(allowed).toContain(header);
    }
  });
});

describe.each(backends)('a close forced with a reason on %s', (backend) => {
  let s: TestSystem;
  let setup: EventSetup;
  beforeAll(async () => {
    s = await startTestSystem(backend);
    setup = await setupEvent(s, { performances: 3 });
    await s.app.listen({ host: '127.0.0.1', port: 0 }).catch(() => {});
  });
  afterAll(async () => {
    await s?.close();
  });

  it('refuses to force with terminals outstanding and no reason, changing nothing', async () => {
    const performanceId = setup.performanceIds[0] as string;
    const owner = setup.organizer.owner;
    await enrolTerminal(s, setup, { gate: 'North' });
    s.clock.advance(setup.startsAt + 60_000 - s.clock.now());
    const close = (body: Record<string, unknown>) =>
      s.request('POST', `/v1/performances/${performanceId}/close`, { token: owner.token, body });
    const report = async () =>
      (
        await s.request('GET', `/v1/performances/${performanceId}/gate-report`, {
          token: owner.token,
        })
      ).body;

    const refused = await close({ force: true });
    expect(refused.status, refused.raw).toBe(400);
    expect(refused.body.error.code).toBe('close_reason_required');
    for (const reason of ['   ', 'x'.repeat(501)]) {
      expect((await close({ force: true, reason })).status).toBe(400);
    }
    const untouched = await report();
    expect(untouched.performance).toMatchObject({
      status: 'scheduled',
      closedAt: null,
      closedBy: null,
      forcedReason: null,
    });

    // Closed without force: it waits for the terminal; who closed is kept.
    const waiting = await close({});
    expect(waiting.status, waiting.raw).toBe(200);
    expect(waiting.body).toMatchObject({
      closedBy: maskPhone(owner.phone),
      forcedReason: null,
      storedValue: { refunds: 'waiting_for_terminals' },
    });
    expect(waiting.body.terminalsOutstanding).toHaveLength(1);

    const forced = await close({ force: true, reason: '  North gate 2 lost its battery  ' });
    expect(forced.status, forced.raw).toBe(200);
    expect(forced.body).toMatchObject({
      closedAt: waiting.body.closedAt,
      forcedReason: 'North gate 2 lost its battery',
      storedValue: { refunds: 'queued' },
    });
    expect((await report()).performance).toMatchObject({
      status: 'closed',
      closedAt: waiting.body.closedAt,
      closedBy: waiting.body.closedBy,
      forcedAt: new Date(s.clock.now()).toISOString(),
      forcedBy: waiting.body.closedBy,
      forcedReason: 'North gate 2 lost its battery',
    });
  });

  it('needs no reason to force when no terminal is outstanding', async () => {
    const performanceId = setup.performanceIds[1] as string;
    s.clock.advance(86_400_000);
    // The terminal enrolled above is revoked: lost, not outstanding.
    const list = await s.request('GET', `/v1/organizers/${setup.organizer.id}/terminals`, {
      token: setup.organizer.owner.token,
    });
    for (const terminal of list.body.terminals) {
      await s.request('DELETE', `/v1/organizers/${setup.organizer.id}/terminals/${terminal.id}`, {
        token: setup.organizer.owner.token,
      });
    }
    const closed = await s.request('POST', `/v1/performances/${performanceId}/close`, {
      token: setup.organizer.owner.token,
      body: { force: true },
    });
    expect(closed.status, closed.raw).toBe(200);
    expect(closed.body.terminalsOutstanding).toEqual([]);
    expect(closed.body.forcedReason).toBeNull();
  });

  it('forces from the command line with --reason, and refuses --force alone', async () => {
    const performanceId = setup.performanceIds[2] as string;
    await enrolTerminal(s, setup, { gate: 'South' });
    s.clock.advance(86_400_000);
    const { port } = s.app.server.address() as AddressInfo;
    const cli = async (args: string[]) => {
      let stdout = '';
      let stderr = '';
      const sink = (append: (text: string) => void) =>
        new Writable({
          write(chunk, _encoding, done) {
            append(String(chunk));
            done();
          },
        });
      const code = await main(args, {
        stdout: sink((text) => {
          stdout += text;
        }),
        stderr: sink((text) => {
          stderr += text;
        }),
        stdin: process.stdin,
        env: {
          TESSERA_URL: `http://127.0.0.1:${port}`,
          TESSERA_TOKEN: setup.organizer.owner.token,
        },
      });
      return { code, stdout, stderr };
    };
    const refused = await cli(['close', performanceId, '--force']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('close_reason_required');
    const forced = await cli(['close', performanceId, '--force', '--reason', 'South 1 was lost']);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`by ${maskPhone(setup.organizer.owner.phone)}.`);
    expect(forced.stdout).toContain('Forced while terminals were outstanding: South 1 was lost');
  });
});

/** Waits until `check` passes, for at most `ms`; whether it did. */
async function within(ms: number, check: () => boolean) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

describe('a terminal revoked on one of two instances (postgres)', () => {
  let s: TestSystem;
  let other: Ticketing;
  let otherApp: Awaited<ReturnType<typeof buildApp>>;
  let buses: ReturnType<typeof startInstanceBus>[] = [];
  beforeAll(async () => {
    s = await startTestSystem('postgres');
    other = createTicketing({
      config: s.ticketing.config,
      database: s.database,
      clock: s.clock,
      sms: s.sms,
      exchange: s.ticketing.exchange,
    });
    otherApp = await buildApp(other, allRoutes);
    await otherApp.listen({ host: '127.0.0.1', port: 0 });
    const quiet = { warn: () => {} };
    buses = [startInstanceBus(s.ticketing, quiet), startInstanceBus(other, quiet)];
    await Promise.all(buses.map((bus) => bus?.listening));
  });
  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus?.stop()));
    await otherApp?.close();
    await s?.close();
  });

  it('is refused by the other at once, and its open feed there ends', async () => {
    expect(buses.every((bus) => bus !== undefined)).toBe(true);
    const setup = await setupEvent(s);
    const terminal = await enrolTerminal(s, setup);
    const viaOther = (url: string) => injectJson(otherApp, 'GET', url, { token: terminal.token });
    // The other instance knows the terminal: its credential is in that instance's cache.
    expect((await viaOther('/v1/terminal/package?pending=0')).status).toBe(200);

    const { port } = otherApp.server.address() as AddressInfo;
    const feed = await fetch(`http://127.0.0.1:${port}/v1/terminal/feed`, {
      headers: { authorization: `Bearer ${terminal.token}` },
    });
    expect(feed.status).toBe(200);
    let text = '';
    let ended = false;
    const reading = (async () => {
      const reader = (feed.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      ended = true;
    })();
    expect(await within(5_000, () => text.includes(': live'))).toBe(true);

    const revoked = await s.request(
      'DELETE',
      `/v1/organizers/${setup.organizer.id}/terminals/${terminal.id}`,
      { token: setup.organizer.owner.token },
    );
    expect(revoked.status, revoked.raw).toBe(200);
    // No waiting for the bus, no time passing: the very next call through the other is refused.
    const refused = await viaOther('/v1/terminal/package?pending=0');
    expect([401, 403]).toContain(refused.status);
    // The feed on the other instance ends well before its keep-alive would notice.
    expect(await within(500, () => ended)).toBe(true);
    await reading;
  });
});
