/**
 * The organizer command line as its users run it: a child process speaking HTTP to the test
 * system's listening ticketing server.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buy } from './fixtures.ts';
import { startTestSystem, type TestSystem } from './harness.ts';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(serviceDir, 'examples');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the command line. `answer` is written to stdin once stderr shows `prompt` (the login code
 * is only known after the command has asked for it).
 */
function cli(
  args: string[],
  env: Record<string, string> = {},
  interact?: { prompt: string; answer: () => string },
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/organizer.ts', ...args], {
      cwd: serviceDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let answered = false;
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (interact && !answered && stderr.includes(interact.prompt)) {
        answered = true;
        child.stdin.end(`${interact.answer()}\n`);
      }
    });
    if (!interact) child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// Each step spawns Node with tsx: slow on a busy machine, so the steps get more than 30 s.
describe('the organizer command line (sqlite)', { timeout: 120_000 }, () => {
  let s: TestSystem;
  let url: string;
  let dir: string;
  let organizerId: string;
  let token: string;
  let env: Record<string, string>;
  let venueId: string;
  let eventId: string;

  beforeAll(async () => {
    s = await startTestSystem('sqlite');
    const address = s.app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    dir = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
    const organizer = await s.createOrganizer('Seoul Philharmonic');
    organizerId = organizer.id;
    token = organizer.owner.token;
    env = { TESSERA_URL: url, TESSERA_TOKEN: token };
  });

  afterAll(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('signs in with the code read from stdin and prints the token to export', async () => {
    const phone = s.newPhone();
    const run = await cli(
      ['login', '--phone', phone],
      { TESSERA_URL: url },
      {
        prompt: 'Code: ',
        answer: () => s.sms.lastCode(phone) as string,
      },
    );
    expect(run.stderr).toContain(`A code was sent to ${phone}`);
    expect(run.code).toBe(0);
    const exported = /^export TESSERA_TOKEN='([^']+)'$/m.exec(run.stdout);
    expect(exported).not.toBeNull();
    const me = await cli(['organizers'], {
      TESSERA_URL: url,
      TESSERA_TOKEN: exported?.[1] as string,
    });
    expect(me.code).toBe(0);
    expect(me.stdout).toContain(phone);
    expect(me.stdout).toContain('You work for no organizer yet.');
  });

  it('lists my organizers', async () => {
    const run = await cli(['organizers'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`${organizerId}\\s+Seoul Philharmonic\\s+owner`));
  });

  it('creates a venue, imports the example CSV seat map and applies the example event', async () => {
    const venue = await cli(
      [
        'venue',
        'create',
        '--organizer',
        organizerId,
        '--name',
        'Lotte Concert Hall',
        '--address',
        '300 Olympic-ro, Seoul',
        '--lat',
        '37.5133',
        '--lng',
        '127.1028',
        '--radius',
        '250',
        '--time-zone',
        'asia/seoul',
      ],
      env,
    );
    expect(venue.stderr).toBe('');
    expect(venue.code).toBe(0);
    expect(venue.stdout).toContain('(Asia/Seoul)');
    venueId = /Created venue (ven_[0-9a-z]+)/.exec(venue.stdout)?.[1] as string;
    expect(venueId).toBeDefined();

    const imported = await cli(
      ['seatmap', 'import', '--venue', venueId, join(examples, 'seats.csv'), '--progress'],
      env,
    );
    expect(imported.code).toBe(0);
    // 8 rows of 20 and 4 rows of 16 seats, and one standing area.
    expect(imported.stdout).toContain('224 seats in 12 rows of 2 sections, 1 standing areas');
    // Not a terminal, --progress: plain progress lines instead of a redrawn bar.
    expect(imported.stderr).toContain('uploading: 100%');
    expect(imported.stderr).not.toContain('\r');
    const stored = await s.request('GET', `/v1/venues/${venueId}`);
    expect(stored.body.seatCount).toBe(224);

    const file = join(examples, 'event.json');
    const created = await cli(
      ['event', 'apply', '--organizer', organizerId, '--venue', venueId, file],
      env,
    );
    expect(created.code).toBe(0);
    const match =
      /^Created event (ev_[0-9a-z]+) "Spring Gala 2027" \(spring-gala-2027\), draft$/m.exec(
        created.stdout,
      );
    expect(match).not.toBeNull();
    eventId = match?.[1] as string;
    expect(created.stdout).toMatch(/Orchestra\s+55\.5 USDT\s+seated\s+160/);
    expect(created.stdout).toMatch(/Standing\s+20 USDT\s+standing: Standing\s+300/);

    // Applying a changed file updates the same event, found by its slug.
    const changed = JSON.parse(readFileSync(file, 'utf8'));
    changed.name = 'Spring Gala 2027 (matinee added)';
    changed.performances.push({
      startsAt: '2027-05-16T15:00:00+09:00',
      endsAt: '2027-05-16T17:30:00+09:00',
    });
    const changedFile = join(dir, 'event.json');
    writeFileSync(changedFile, JSON.stringify(changed));
    const updated = await cli(
      ['event', 'apply', '--organizer', organizerId, '--venue', venueId, changedFile, '--json'],
      env,
    );
    expect(updated.code).toBe(0);
    const view = JSON.parse(updated.stdout);
    expect(view.id).toBe(eventId);
    expect(view.name).toBe('Spring Gala 2027 (matinee added)');
    expect(view.performances).toHaveLength(3);

    const published = await cli(['event', 'publish', eventId], env);
    expect(published.code).toBe(0);
    expect(published.stdout).toContain(`Published ${eventId}`);
  });

  it('prints the sales report and exports attendees after a sale', async () => {
    const event = await s.request('GET', `/v1/events/${eventId}`);
    const orchestra = event.body.categories.find((c: { name: string }) => c.name === 'Orchestra');
    const first = event.body.performances[0];
    const buyer = await s.createBuyer();
    const sale = await buy(s, buyer, {
      performanceId: first.id,
      categoryId: orchestra.id,
      quantity: 2,
    });
    expect(sale.paid?.status).toBe(200);

    const report = await cli(['sales', eventId], env);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('Spring Gala 2027 (matinee added)');
    // Orchestra of the first performance: 160 seats, 2 sold, 111 USDT.
    expect(report.stdout).toMatch(/Orchestra\s+160\s+158\s+0\s+2\s+0\s+111 USDT/);
    expect(report.stdout).toMatch(/Event total: 2 sold of 1572.*revenue 111 USDT/);
    expect(report.stdout).toContain('issued 1');
    const json = await cli(['sales', eventId, '--json'], env);
    expect(JSON.parse(json.stdout).totals).toMatchObject({ sold: 2, tickets: 2 });

    const out = join(dir, 'attendees.csv');
    const exported = await cli(['attendees', eventId, '--out', out, '--progress'], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(`Wrote 2 attendees to ${out}.\n`);
    expect(exported.stderr).toContain('attendees: 100% (2 of 2)');
    expect(existsSync(`${out}.part`)).toBe(false);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    expect(lines[0]).toMatch(
      /^performance_start,performance_code,category,section,row,seat,area,ticket_number/,
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain(`,Orchestra,Orchestra,`);
    expect(lines[1]).toContain(`,'${buyer.phone},`);

    // Another performance has nobody yet; to stdout, the summary goes to stderr.
    const second = await cli(
      ['attendees', eventId, '--performance', event.body.performances[1].id],
      env,
    );
    expect(second.code).toBe(0);
    expect(second.stdout.split('\r\n')[0]).toMatch(/^performance_start,/);
    expect(second.stdout.trimEnd().split('\r\n')).toHaveLength(1);
    // Neither a terminal nor --progress: no progress, only the summary.
    expect(second.stderr).toBe('Wrote 0 attendees.\n');
  });

  it('exits 1 with the API error code, never printing the token', async () => {
    const bogus = `ts_${'x'.repeat(40)}`;
    const run = await cli(['organizers', '--token', bogus], { TESSERA_URL: url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: unauthenticated:');
    expect(run.stderr + run.stdout).not.toContain(bogus);
    // Refused before the server reads the streamed upload: still a clean API error.
    const upload = await cli(
      ['seatmap', 'import', '--venue', venueId, join(examples, 'seats.csv'), '--token', bogus],
      { TESSERA_URL: url },
    );
    expect(upload.code).toBe(1);
    expect(upload.stderr).toContain('error: unauthenticated:');
    expect(upload.stderr).not.toContain(bogus);

    const other = await s.createOrganizer('Rival');
    const hidden = await cli(['sales', eventId], {
      TESSERA_URL: url,
      TESSERA_TOKEN: other.owner.token,
    });
    expect(hidden.code).toBe(1);
    expect(hidden.stderr).toContain('error: not_found: event not found (HTTP 404)');
    expect(hidden.stderr).not.toContain(other.owner.token);

    const inUse = await cli(
      ['seatmap', 'import', '--venue', venueId, join(examples, 'seats.csv')],
      env,
    );
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('error: seat_map_in_use:');

    const down = await cli(['organizers'], {
      TESSERA_URL: 'http://127.0.0.1:9',
      TESSERA_TOKEN: token,
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('error: unreachable:');
    expect(down.stderr).not.toContain(token);
  });

  it('exits 2 on wrong usage, before calling the API', async () => {
    const cases: [string[], RegExp][] = [
      [[], /which command/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['venue', 'create', '--organizer', organizerId, '--name', 'Hall'], /--address is required/],
      [
        [
          'venue',
          'create',
          '--organizer',
          'nope',
          '--name',
          'a',
          '--address',
          'b',
          '--lat',
          '1',
          '--lng',
          '2',
        ],
        /not an id like org_/,
      ],
      [['sales'], /expected <eventId>/],
      [['sales', eventId, '--bogus'], /Unknown option '--bogus'/],
      [['seatmap', 'import', '--venue', venueId, join(dir, 'missing.csv')], /cannot read .*ENOENT/],
      [
        ['seatmap', 'import', '--venue', venueId, join(examples, 'event.txt')],
        /give a \.csv or a \.json/,
      ],
      [['login', '--phone', '01012345678'], /not an E\.164 number/],
      [['organizers', '--token', 'not a token, says the clerk'], /the token .* is malformed/],
      [['attendees', eventId, '--out', join(dir, 'no', 'such', 'x.csv')], /cannot write .*ENOENT/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args, env)));
    for (const [index, [args, message]] of cases.entries()) {
      const run = runs[index] as Run;
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain(token);
      expect(run.stderr).not.toContain('says the clerk');
    }
    const badFile = join(dir, 'broken.json');
    writeFileSync(badFile, '{"slug": "x",');
    const broken = await cli(['event', 'apply', '--organizer', organizerId, badFile], env);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('is not valid JSON');
    const help = await cli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('seatmap import');
  });
});
