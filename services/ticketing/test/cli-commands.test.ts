/**
 * The organizer command line's commands beyond the first steps (issue 21, item 4): signing in
 * with a code already received, staff, venues, performances added and cancelled, refunds,
 * enrolment codes and terminals, close --preview, and the hints of "not found" answers. main()
 * runs in this process against the test system's listening server, over HTTP; cli.test.ts runs
 * it as a child process.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/organizer.ts';
import { sendDueRefunds } from '../src/orders/refunds.ts';
import { buy, type EventSetup, setupEvent } from './fixtures.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the command line in this process. `onStderr` sees stderr as it grows (to act once the
 * command has reached a point, e.g. its first progress line); `terminal` makes stdin (holding
 * the answer typed) and stderr look like a terminal's.
 */
async function cli(
  args: string[],
  env: Record<string, string>,
  onStderr?: (text: string) => void,
  terminal?: { typed: string },
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  const stdin = Readable.from(terminal ? [terminal.typed] : []);
  const err = sink((text) => {
    stderr += text;
    onStderr?.(stderr);
  });
  if (terminal) Object.assign(stdin, { isTTY: true });
  if (terminal) Object.assign(err, { isTTY: true, columns: 100 });
  const code = await main(args, {
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: err,
    stdin,
    env,
  });
  return { code, stdout, stderr };
}

/** The command words the top-level help lists, group by group. */
async function commandWords() {
  const help = await cli(['--help'], {});
  const words: string[][] = [];
  let inGroups = false;
  for (const line of help.stdout.split('\n')) {
    if (/^[A-Z][a-z].*:$/.test(line)) inGroups = true;
    else if (line.startsWith('every command')) inGroups = false;
    else if (inGroups && /^ {2}\S/.test(line)) {
      words.push((line.trim().split(/ {2,}/)[0] as string).split(' '));
    }
  }
  return words;
}

describe('the command line help', () => {
  it('lists every command in groups, and each one prints its usage, options and example', async () => {
    const top = await cli(['--help'], {});
    expect(top.code).toBe(0);
    for (const group of ['Staff:', 'Gates and terminals:', 'Sales and refunds:']) {
      expect(top.stdout).toContain(group);
    }
    const words = await commandWords();
    for (const expected of [
      'venues',
      'staff add',
      'enrol',
      'terminal revoke',
      'refund',
      'refunds',
      'performance add',
      'performance cancel',
      'event publish',
      'close',
    ]) {
      expect(words.map((w) => w.join(' '))).toContain(expected);
    }
    expect(words.length).toBeGreaterThanOrEqual(30);
    const helpStaff = await cli(['help', 'staff', 'add'], {});
    expect(helpStaff.stdout).toContain('usage: tessera-organizer staff add <+E.164> --role <role>');
    const unknown = await cli(['venue', 'list'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown command "venue list"; did you mean venues, venue create, venue show?',
    );
    for (const command of words) {
      const help = await cli([...command, '--help'], {});
      expect(help.code, command.join(' ')).toBe(0);
      expect(help.stdout).toContain(`usage: tessera-organizer ${command.join(' ')}`);
      expect(help.stdout, command.join(' ')).toMatch(/example/);
      expect(help.stdout).toContain('--json');
    }
  });
});

describe.each(backends)('the organizer command line on %s', (backend) => {
  let s: TestSystem;
  let setup: EventSetup;
  let env: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    s = await startTestSystem(backend);
    setup = await setupEvent(s, { performances: 2, refundPolicy: 'none' });
    const address = s.app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    env = { TESSERA_URL: url, TESSERA_TOKEN: setup.organizer.owner.token };
    dir = mkdtempSync(join(tmpdir(), 'tessera-cli-commands-'));
  });

  afterAll(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with the code given, sending no new one; --send only sends', async () => {
    const phone = s.newPhone();
    const sent = await cli(['login', '--phone', phone, '--send', '--json'], {
      TESSERA_URL: env.TESSERA_URL as string,
    });
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ phone, expiresAt: expect.any(String) });
    expect(s.sms.messages(phone)).toHaveLength(1);
    const code = s.sms.lastCode(phone) as string;

    const signedIn = await cli(['login', '--phone', phone, '--code', code], {
      TESSERA_URL: env.TESSERA_URL as string,
    });
    expect(signedIn.code).toBe(0);
    expect(signedIn.stdout).toMatch(/^export TESSERA_TOKEN='[^']+'$/m);
    // The code typed was used as it is: no second SMS voided it.
    expect(s.sms.messages(phone)).toHaveLength(1);

    const both = await cli(['login', '--phone', phone, '--code', code, '--send'], env);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give one of them');
  });

  it('lists and shows venues; the only organizer needs no --organizer', async () => {
    const list = await cli(['venues'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${setup.venueId}\\s+Hall\\s+50\\s+A\\s+Standing 100`));
    const json = await cli(['venues', '--json'], env);
    expect(JSON.parse(json.stdout).venues[0]).toMatchObject({ id: setup.venueId, seatCount: 50 });
    const shown = await cli(['venue', 'show', setup.venueId], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/A\s+5\s+50\s+0/);
    const organizer = await cli(['organizer', 'show', '--json'], env);
    expect(organizer.code).toBe(0);
    expect(JSON.parse(organizer.stdout)).toMatchObject({ id: setup.organizer.id });
    const text = await cli(['organizer', 'show'], env);
    expect(text.stdout).toContain('Wallet: linked to merchant');
  });

  it('links the wallet again and rotates the signing keys', async () => {
    const linked = await cli(['wallet', 'link', '--api-key', setup.organizer.apiKey], env);
    expect(linked.code).toBe(0);
    expect(linked.stdout).toMatch(/^Linked to merchant ".+" \(mer_[0-9a-z]+\)\.$/m);
    expect(linked.stdout + linked.stderr).not.toContain(setup.organizer.apiKey);
    const before = JSON.parse((await cli(['organizer', 'show', '--json'], env)).stdout);
    const rotated = await cli(['keys', 'rotate', '--json'], env);
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ status: 'active' });
    const old = before.keys[0].id as string;
    const retired = await cli(['keys', 'retire', old], env);
    expect(retired.code).toBe(0);
    expect(retired.stdout).toContain(`Retired ${old}`);
    const bad = await cli(['wallet', 'link', '--api-key', 'sk_live_nope'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a merchant API key');
  });

  it('event apply without a venue says which venues there are and how to pick one', async () => {
    const file = join(dir, 'event.json');
    const event = {
      slug: 'no-venue',
      name: 'No venue',
      categories: [
        {
          name: 'Seated',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '10',
          seating: 'seated',
          sections: ['A'],
          kind: 'single',
        },
      ],
      performances: [
        {
          startsAt: new Date(s.clock.now() + 30 * 86_400_000).toISOString(),
          endsAt: new Date(s.clock.now() + 30 * 86_400_000 + 7_200_000).toISOString(),
        },
      ],
    };
    writeFileSync(file, JSON.stringify(event));
    const missing = await cli(['event', 'apply', file], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('has no "venueId" and no --venue was given');
    expect(missing.stderr).toContain(`${setup.venueId}  Hall (50 seats, 1 standing area)`);
    expect(missing.stderr).toContain('Run again with --venue <ven_…>');

    writeFileSync(file, JSON.stringify({ ...event, venueId: 'ven_replacewithyourvenue' }));
    const unknown = await cli(['event', 'apply', file], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: not_found: venue not found (HTTP 404)');
    expect(unknown.stderr).toContain(`"venueId" ven_replacewithyourvenue is not a venue of`);
    expect(unknown.stderr).toContain(setup.venueId);

    const applied = await cli(['event', 'apply', '--venue', setup.venueId, file, '--json'], env);
    expect(applied.code).toBe(0);
    const draft = JSON.parse(applied.stdout);
    expect(draft).toMatchObject({ slug: 'no-venue', status: 'draft' });
    const published = await cli(['event', 'publish', draft.id], env);
    expect(published.stdout).toContain(`Published ${draft.id}`);
    const unpublished = await cli(['event', 'unpublish', draft.id], env);
    expect(unpublished.code).toBe(0);
    expect(unpublished.stdout).toBe(`Took ${draft.id} "No venue" off sale: draft\n`);
  });

  it('adds, changes and removes staff by phone number', async () => {
    const phone = s.newPhone();
    const added = await cli(['staff', 'add', phone, '--role', 'box_office'], env);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(`Added ${phone} as box_office`);
    const changed = await cli(['staff', 'role', phone, '--role', 'gate'], env);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toBe(`${phone} was box_office, is now gate.\n`);
    const list = await cli(['staff', '--json'], env);
    const staff = JSON.parse(list.stdout).staff as { phone: string; role: string }[];
    expect(staff.find((m) => m.phone === phone)?.role).toBe('gate');
    const text = await cli(['staff'], env);
    expect(text.stdout).toMatch(new RegExp(`\\${phone}\\s+-\\s+gate`));
    const removed = await cli(['staff', 'remove', phone], env);
    expect(removed.code).toBe(0);
    const stranger = await cli(['staff', 'role', phone, '--role', 'manager'], env);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toContain(`add them with \`staff add ${phone} --role manager\``);
    const again = await cli(['staff', 'remove', phone], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('not_found');
    expect(again.stderr).toContain('`staff` lists');
    const lastOwner = await cli(['staff', 'remove', setup.organizer.owner.phone], env);
    expect(lastOwner.code).toBe(1);
    expect(lastOwner.stderr).toContain('error: last_owner:');
  });

  it('adds a performance to an event and shows it', async () => {
    const start = s.clock.now() + 20 * 86_400_000;
    const added = await cli(
      [
        'performance',
        'add',
        setup.eventId,
        '--starts',
        new Date(start).toISOString(),
        '--ends',
        new Date(start + 3 * 3_600_000).toISOString(),
        '--json',
      ],
      env,
    );
    expect(added.code).toBe(0);
    const performance = JSON.parse(added.stdout);
    expect(performance).toMatchObject({ eventId: setup.eventId, status: 'scheduled' });
    const shown = await cli(['performance', 'show', performance.id], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`performance ${performance.code} (${performance.id}) at Hall`);
    const event = await cli(['event', 'show', setup.eventId, '--json'], env);
    expect(JSON.parse(event.stdout).performances).toHaveLength(3);
  });

  it('makes an enrolment code, lists, renames and revokes terminals', async () => {
    const qr = join(dir, 'north.svg');
    const made = await cli(['enrol', '--gate', 'North', '--event', setup.eventId, '--qr', qr], env);
    expect(made.code).toBe(0);
    const code = /^Enrolment code: (\S+)$/m.exec(made.stdout)?.[1] as string;
    expect(code).toBeDefined();
    expect(readFileSync(qr, 'utf8')).toContain('<svg');
    expect(existsSync(`${qr}.part`)).toBe(false);
    const enrolled = await s.request('POST', '/v1/terminals/enrol', {
      body: { code, name: 'North scanner' },
    });
    expect(enrolled.status).toBe(201);
    const terminalId = enrolled.body.terminal.id as string;
    expect(enrolled.body.terminal.performanceIds).toEqual(
      expect.arrayContaining(setup.performanceIds),
    );

    const json = await cli(
      ['enrol', '--gate', 'South', '--performance', setup.performanceIds[0] as string, '--json'],
      env,
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      gate: 'South',
      performanceIds: [setup.performanceIds[0]],
    });

    const renamed = await cli(['terminal', 'rename', terminalId, '--name', 'North 1'], env);
    expect(renamed.code).toBe(0);
    const list = await cli(['terminals'], env);
    expect(list.stdout).toMatch(new RegExp(`${terminalId}\\s+North 1\\s+North\\s+active`));
    const revoked = await cli(['terminal', 'revoke', terminalId], env);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Revoked ${terminalId} "North 1"`);
    const active = await cli(['terminals', '--active', '--json'], env);
    expect(JSON.parse(active.stdout).terminals).toEqual([]);
    const all = await cli(['terminals', '--json'], env);
    expect(JSON.parse(all.stdout).terminals[0].revokedAt).not.toBeNull();
  });

  it('refunds a ticket and an order, and shows how refunds stand', async () => {
    const buyer = await s.createBuyer();
    const first = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories.Seated as string,
      quantity: 1,
    });
    const second = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories.Seated as string,
      quantity: 2,
    });
    // The ticket ids are in the attendee list as JSON.
    const listed = await cli(['attendees', setup.eventId, '--json'], env);
    expect(listed.code).toBe(0);
    const list = JSON.parse(listed.stdout) as {
      total: number;
      attendees: { ticketId: string; orderId: string }[];
    };
    expect(list.total).toBe(3);
    const ticketId = list.attendees.find((a) => a.orderId === first.order?.body.id)
      ?.ticketId as string;
    expect(ticketId).toMatch(/^tkt_/);
    const asked = await cli(['refund', ticketId], env);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('add --yes');

    const one = await cli(['refund', ticketId, '--yes'], env);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/: refunded; 25 USDT back to the paying wallet, pending$/m);
    const order = await cli(
      ['refund', second.order?.body.id as string, '--yes', '--json', '--progress'],
      env,
    );
    expect(order.code).toBe(0);
    expect(JSON.parse(order.stdout).refunded).toHaveLength(2);
    expect(order.stderr).toContain('refunding: 100% (2 of 2)');
    const nothing = await cli(['refund', second.order?.body.id as string, '--yes'], env);
    expect(nothing.stdout).toContain('Nothing to refund');

    // On a terminal: the question is asked, a wrong answer does nothing, a bar shows progress.
    const third = await buy(s, buyer, {
      performanceId: setup.performanceIds[0] as string,
      categoryId: setup.categories.Seated as string,
      quantity: 1,
    });
    const thirdOrder = third.order?.body.id as string;
    const declined = await cli(['refund', thirdOrder], env, undefined, { typed: 'no\n' });
    expect(declined.code).toBe(2);
    expect(declined.stderr).toContain('Type yes to go ahead: ');
    expect(declined.stderr).toContain('not confirmed; nothing was done');
    const accepted = await cli(['refund', thirdOrder], env, undefined, { typed: 'yes\n' });
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toContain('\rrefunding [##############################] 100% 1/1');
    expect(accepted.stdout).toMatch(/refunded; 25 USDT back to the paying wallet, pending/);

    const refunds = await cli(['refunds', setup.eventId], env);
    expect(refunds.code).toBe(0);
    expect(refunds.stdout).toMatch(/pending\s+4 \(100 USDT\)/);
    // --wait follows them until the exchange has paid them back.
    let sending: Promise<number> | undefined;
    const waited = await cli(['refunds', setup.eventId, '--wait', '--progress'], env, (err) => {
      if (!sending && err.includes('refunds paid back: 0%')) sending = sendDueRefunds(s.ticketing);
    });
    expect(waited.code).toBe(0);
    expect(sending).toBeDefined();
    expect(waited.stderr).toContain('refunds paid back: 100% (4 of 4)');
    expect(waited.stdout).toMatch(/done\s+4 \(100 USDT\)/);
  });

  it('previews close before the start, then cancels the performance with progress', async () => {
    const performanceId = setup.performanceIds[1] as string;
    const buyers = [await s.createBuyer(), await s.createBuyer()];
    for (const buyer of buyers) {
      await buy(s, buyer, {
        performanceId,
        categoryId: setup.categories.Seated as string,
        quantity: 2,
      });
    }
    const preview = await cli(['close', performanceId, '--preview'], env);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain('Preview, nothing changed');
    expect(preview.stdout).toContain('tickets: 4 sold, 0 admitted');
    expect(preview.stdout).toContain('Closing is refused until it starts');
    expect(preview.stdout).toContain(`performance cancel ${performanceId}`);
    const json = await cli(['close', performanceId, '--dry-run', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      canClose: false,
      refusal: 'performance_not_started',
    });
    const refused = await cli(['close', performanceId], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: performance_not_started:');

    const unasked = await cli(['performance', 'cancel', performanceId], env);
    expect(unasked.code).toBe(2);
    expect(unasked.stderr).toContain('refunding 4 tickets? This cannot be undone.');
    const cancelled = await cli(
      ['performance', 'cancel', performanceId, '--yes', '--progress'],
      env,
    );
    expect(cancelled.code).toBe(0);
    expect(cancelled.stderr).toContain('cancelling tickets: 100% (4 of 4)');
    expect(cancelled.stdout).toContain(
      '4 tickets cancelled and revoked by this run, 4 refunds queued',
    );
    const again = await cli(['performance', 'cancel', performanceId, '--yes', '--json'], env);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'cancelled', ticketsCancelled: 0 });
    const after = await cli(['close', performanceId, '--preview'], env);
    expect(after.stdout).toContain('Closing is refused: the performance is cancelled');

    // After the start of the first performance, the preview says what closing would do.
    s.clock.set(setup.startsAt + 60_000);
    const open = await cli(
      ['close', setup.performanceIds[0] as string, '--preview', '--json'],
      env,
    );
    expect(JSON.parse(open.stdout)).toMatchObject({ canClose: true, refusal: null });
  });

  it('says where to find the right id when the API answers not found, and exits 2 on usage errors', async () => {
    const cases: [string[], string][] = [
      [['sales', 'ev_0000000000'], "`events` lists your organizer's events"],
      [['performance', 'show', 'perf_0000000000'], '`event show <ev_…>` lists'],
      [['venue', 'show', 'ven_0000000000'], "`venues` lists your organizer's venues"],
      [['terminal', 'revoke', 'trm_0000000000'], "`terminals` lists your organizer's terminals"],
      [['refund', 'tkt_0000000000', '--yes'], '`attendees <ev_…> --json` lists ticket ids'],
    ];
    for (const [args, hint] of cases) {
      const run = await cli(args, env);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toContain('not_found');
      expect(run.stderr).toContain(hint);
    }
    const usage: [string[], RegExp][] = [
      [['staff', 'add', '01012345678', '--role', 'gate'], /not an E\.164 number/],
      [['staff', 'add', '+821012345678', '--role', 'boss'], /--role takes one of owner/],
      [
        ['performance', 'add', setup.eventId, '--starts', 'tomorrow', '--ends', 'x'],
        /not a time with its zone/,
      ],
      [['enrol', '--gate', 'North'], /which performances\?/],
      [['refund', 'ev_0000000000'], /not a ticket id/],
      [['close', 'perf_0000000000', '--preview', '--force'], /--preview changes nothing/],
      [['venues', '--organizer', 'nope'], /not an id like org_/],
      [['keys', 'retire'], /expected <keyId>/],
      [['gate-report', 'perf_0000000000', '--csv', 'gates', '--json'], /give one/],
    ];
    for (const [args, message] of usage) {
      const run = await cli(args, env);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain('usage: tessera-organizer');
    }
    // Working for two organizers: the command asks which one.
    await s.request('POST', '/v1/organizers', {
      token: setup.organizer.owner.token,
      body: { name: 'Second Hall' },
    });
    const which = await cli(['venues'], env);
    expect(which.code).toBe(2);
    expect(which.stderr).toContain('you work for 2 organizers; say which with --organizer');
    expect(which.stderr).toContain(setup.organizer.id);
  });
});
