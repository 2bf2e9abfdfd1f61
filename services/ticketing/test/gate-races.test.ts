/**
 * Gates racing for the same ticket through the online API (claim 12's "admits atomically"):
 * two gates scanning the same single-entry ticket at the same moment, 1,000 times, admit it
 * exactly once each time; multi-entry, re-entry and stored-value tickets scanned by many gates at
 * once never go past their entitlement, and a refusal is never spurious.
 *
 * The 1,000 tickets of the first test are minted directly with the server's own issuance code
 * (`mintDirect` in gate-kit.ts: real signed, device-bound credentials and ticket rows, without a
 * thousand purchases through the exchange, which would take minutes and test the sale rather
 * than the gate). The other tests buy their tickets through the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Buyer, buy, setupEvent } from './fixtures.ts';
import {
  admissionsOf,
  barcode,
  enrolTerminal,
  type HeldTicket,
  inBatches,
  mintDirect,
  nowS,
  scan,
  type Terminal,
  ticketsOfOrder,
  toDoors,
  upload,
} from './gate-kit.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

/** Pairs of scans in flight at once in the 1,000-ticket race. */
const raceWidth = 25;
const raceTickets = 1_000;

describe.each(backends)('gate races on %s', (backend) => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem(backend);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** An event with one GA category of the given terms, priced in USDT, and three gates. */
  async function gaShow(category: Record<string, unknown>) {
    const setup = await setupEvent(s, {
      standing: 500,
      categories: [
        {
          name: 'Pass',
          pricing: 'crypto',
          priceAsset: 'USDT',
          price: '10',
          seating: 'ga',
          area: 'Standing',
          ...category,
        },
      ],
    });
    const gates: Terminal[] = [];
    for (const gate of ['North', 'South', 'East'])
      gates.push(await enrolTerminal(s, setup, { gate }));
    return { setup, gates, categoryId: setup.categories.Pass as string };
  }

  async function buyPasses(
    show: Awaited<ReturnType<typeof gaShow>>,
    buyer: Buyer,
    quantity: number,
  ) {
    const { order } = await buy(s, buyer, {
      performanceId: show.setup.performanceIds[0] as string,
      categoryId: show.categoryId,
      quantity,
    });
    const tickets = await ticketsOfOrder(s, buyer, order?.body.id);
    expect(tickets).toHaveLength(quantity);
    return tickets;
  }

  it('two gates scanning the same ticket at the same moment, 1,000 times: exactly one admission each time', async () => {
    const { setup, gates, categoryId } = await gaShow({ kind: 'single' });
    const [north, south] = gates as [Terminal, Terminal];
    const holder = await s.createBuyer();
    const tickets = await mintDirect(
      s,
      setup,
      setup.performanceIds[0] as string,
      categoryId,
      holder,
      raceTickets,
    );
    expect(tickets).toHaveLength(raceTickets);
    toDoors(s, setup.startsAt);

    const problems: string[] = [];
    await inBatches(tickets, raceWidth, async (ticket, index) => {
      const timeS = nowS(s);
      // Half the time both gates read the very same barcode (one phone held up to two
      // scanners, or a screenshot passed on); half the time two barcodes a second apart.
      const first = await barcode(ticket, holder.signer, timeS);
      const second = index % 2 === 0 ? first : await barcode(ticket, holder.signer, timeS - 1);
      const [a, b] = await Promise.all([
        scan(s, north, { barcode: first }),
        scan(s, south, { barcode: second }),
      ]);
      if (a.status !== 200 || b.status !== 200) {
        problems.push(`#${index}: HTTP ${a.status} ${a.raw} / ${b.status} ${b.raw}`);
        return;
      }
      const admitted = [a, b].filter((response) => response.body.admitted);
      if (admitted.length !== 1) {
        problems.push(`#${index}: ${admitted.length} admitted (${a.raw} / ${b.raw})`);
        return;
      }
      const winner = a.body.admitted ? 'North' : 'South';
      const loser = a.body.admitted ? b.body : a.body;
      if (loser.reason !== 'already_used' || loser.firstAdmission?.gate !== winner) {
        problems.push(`#${index}: the refusal was ${JSON.stringify(loser)}`);
      }
    });
    expect(problems.slice(0, 10), `${problems.length} of ${raceTickets} races went wrong`).toEqual(
      [],
    );

    // The database agrees: one admission per ticket, none flagged, none missing.
    const counts = await s.database.db
      .selectFrom('admissions')
      .select(['ticket_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('performance_id', '=', setup.performanceIds[0] as string)
      .groupBy('ticket_id')
      .execute();
    expect(counts).toHaveLength(raceTickets);
    expect(counts.filter((row) => Number(row.n) !== 1)).toEqual([]);
    const decisions = await s.database.db
      .selectFrom('gate_decisions')
      .select(['admitted', (eb) => eb.fn.countAll<number>().as('n')])
      .where('terminal_id', 'in', [north.id, south.id])
      .groupBy('admitted')
      .orderBy('admitted')
      .execute();
    expect(decisions.map((row) => [Number(row.admitted), Number(row.n)])).toEqual([
      [0, raceTickets],
      [1, raceTickets],
    ]);
  }, 300_000);

  it('an online scan racing the upload of an offline admission of the same ticket: one counted', async () => {
    const { setup, gates, categoryId } = await gaShow({ kind: 'single' });
    const [north, south] = gates as [Terminal, Terminal];
    const holder = await s.createBuyer();
    const tickets = await mintDirect(
      s,
      setup,
      setup.performanceIds[0] as string,
      categoryId,
      holder,
      100,
    );
    toDoors(s, setup.startsAt);
    const offlineAt = s.clock.now() - 20_000;

    const problems: string[] = [];
    await inBatches(tickets, raceWidth, async (ticket, index) => {
      // South admitted the ticket offline 20 s ago and uploads it just as North scans it.
      const [online, uploaded] = await Promise.all([
        scan(s, north, { barcode: await barcode(ticket, holder.signer, nowS(s)) }),
        upload(s, south, [
          {
            nonce: `race-${index}-${ticket.number}`,
            performanceCode: setup.performanceCodes[0] as string,
            ticketId: ticket.number,
            revision: ticket.revision,
            direction: 'entry',
            scannedAt: new Date(offlineAt).toISOString(),
            presentationTimeS: Math.floor(offlineAt / 1000) - 2,
          },
        ]),
      ]);
      if (online.status !== 200 || uploaded.status !== 200) {
        problems.push(`#${index}: HTTP ${online.status} / ${uploaded.status} ${uploaded.raw}`);
        return;
      }
      const result = uploaded.body.results[0];
      const rows = await admissionsOf(s, ticket.id);
      const counted = rows.filter((row) => row.duplicate === 0);
      // Both scans are kept, one is counted, and the online answer agrees with the flag: the
      // online scan was admitted exactly when the uploaded one came second and was flagged.
      if (
        result.recorded !== 'new' ||
        rows.length !== (online.body.admitted ? 2 : 1) ||
        counted.length !== 1 ||
        online.body.admitted !== result.duplicate
      ) {
        problems.push(
          `#${index}: online ${online.raw}; upload ${JSON.stringify(result)}; rows ${JSON.stringify(rows.map((r) => [r.source, r.duplicate]))}`,
        );
      }
    });
    expect(problems.slice(0, 5), `${problems.length} of ${tickets.length} races`).toEqual([]);
  });

  it('a multi-entry pass scanned by many gates at once is admitted exactly as often as it allows', async () => {
    const show = await gaShow({ kind: 'multi', entriesAllowed: 3 });
    const buyer = await s.createBuyer();
    const tickets = await buyPasses(show, buyer, 3);
    toDoors(s, show.setup.startsAt);

    for (const ticket of tickets) {
      // Twelve barcodes of the same pass, a second apart (all fresh), at three gates at once.
      const timeS = nowS(s);
      const responses = await Promise.all(
        Array.from({ length: 12 }, async (_, k) =>
          scan(s, show.gates[k % 3] as Terminal, {
            barcode: await barcode(ticket, buyer.signer, timeS - k),
          }),
        ),
      );
      for (const response of responses) expect(response.status, response.raw).toBe(200);
      const admitted = responses.filter((response) => response.body.admitted);
      expect(admitted).toHaveLength(3);
      expect(admitted.map((response) => response.body.ticket.usesRemaining).sort()).toEqual([
        0, 1, 2,
      ]);
      for (const response of responses.filter((r) => !r.body.admitted)) {
        expect(response.body.reason).toBe('entitlement_exhausted');
      }
      const rows = await admissionsOf(s, ticket.id);
      expect(rows).toHaveLength(3);
      expect(rows.every((row) => row.duplicate === 0 && row.direction === 'entry')).toBe(true);
    }
  });

  it('a re-entry ticket after an exit lets the holder back in once, however many gates scan', async () => {
    const show = await gaShow({ kind: 'single', reentryAllowed: true });
    const buyer = await s.createBuyer();
    const [ticket] = (await buyPasses(show, buyer, 1)) as [HeldTicket];
    const [north, south, east] = show.gates as [Terminal, Terminal, Terminal];
    toDoors(s, show.setup.startsAt);

    const entered = await scan(s, north, { barcode: await barcode(ticket, buyer.signer, nowS(s)) });
    expect(entered.body).toMatchObject({ admitted: true, reason: 'valid' });
    for (let round = 0; round < 5; round++) {
      s.clock.advance(60_000);
      // Out through one gate, with two gates racing to scan the same holder out.
      const exits = await Promise.all(
        [south, east].map(async (gate, k) =>
          scan(s, gate, {
            barcode: await barcode(ticket, buyer.signer, nowS(s) - k),
            direction: 'exit',
          }),
        ),
      );
      expect(
        exits.filter((r) => r.body.admitted),
        JSON.stringify(exits.map((r) => r.body)),
      ).toHaveLength(1);
      s.clock.advance(60_000);
      // Back in: three gates scan at once; one lets the holder in.
      const entries = await Promise.all(
        [north, south, east].map(async (gate, k) =>
          scan(s, gate, { barcode: await barcode(ticket, buyer.signer, nowS(s) - k) }),
        ),
      );
      const admitted = entries.filter((response) => response.body.admitted);
      expect(admitted, JSON.stringify(entries.map((r) => r.body))).toHaveLength(1);
      expect(admitted[0]?.body.reason).toBe('reentry');
      for (const response of entries.filter((r) => !r.body.admitted)) {
        expect(response.body.reason).toBe('already_used');
      }
    }
    const rows = await admissionsOf(s, ticket.id);
    expect(rows.map((row) => row.direction)).toEqual([
      'entry',
      ...Array.from({ length: 5 }, () => ['exit', 'entry']).flat(),
    ]);
  });

  it('a stored-value ticket debited by many gates at once never goes below zero', async () => {
    const show = await gaShow({
      kind: 'stored_value',
      storedValue: '10000',
      storedValueAsset: 'KRW',
    });
    const buyer = await s.createBuyer();
    const tickets = await buyPasses(show, buyer, 2);
    toDoors(s, show.setup.startsAt);
    const debits = [1000, 2500, 4000, 1500, 3000, 500];

    for (const ticket of tickets) {
      const timeS = nowS(s);
      const asked = Array.from({ length: 24 }, (_, k) => debits[k % debits.length] as number);
      const responses = await Promise.all(
        asked.map(async (debit, k) => ({
          debit,
          response: await scan(s, show.gates[k % 3] as Terminal, {
            barcode: await barcode(ticket, buyer.signer, timeS - k),
            debit: String(debit),
          }),
        })),
      );
      for (const { response } of responses) expect(response.status, response.raw).toBe(200);
      const admitted = responses.filter(({ response }) => response.body.admitted);
      const refused = responses.filter(({ response }) => !response.body.admitted);
      const spent = admitted.reduce((sum, { debit }) => sum + debit, 0);
      expect(spent).toBeLessThanOrEqual(10_000);
      const left = 10_000 - spent;
      // Each admission reports what was left after it: all different, none below zero, and
      // together they account for every debit in turn.
      const remainders = admitted.map(({ response }) =>
        Number(response.body.ticket.valueRemaining),
      );
      expect(Math.min(...remainders)).toBe(left);
      expect(new Set(remainders).size).toBe(admitted.length);
      // A refusal is never spurious: the balance only falls, so every refused debit is more
      // than what is left at the end.
      for (const { debit, response } of refused) {
        expect(response.body.reason).toBe('entitlement_exhausted');
        expect(debit).toBeGreaterThan(left);
      }
      const rows = await admissionsOf(s, ticket.id);
      expect(rows).toHaveLength(admitted.length);
      expect(rows.reduce((sum, row) => sum + Number(row.debit), 0)).toBe(spent);

      // What is left can still be spent exactly, and then nothing more.
      if (left > 0) {
        const last = await scan(s, show.gates[0] as Terminal, {
          barcode: await barcode(ticket, buyer.signer, nowS(s) - 25),
          debit: String(left),
        });
        expect(last.body).toMatchObject({ admitted: true, ticket: { valueRemaining: '0' } });
      }
      const empty = await scan(s, show.gates[1] as Terminal, {
        barcode: await barcode(ticket, buyer.signer, nowS(s) - 26),
        debit: '1',
      });
      expect(empty.body).toMatchObject({ admitted: false, reason: 'entitlement_exhausted' });
      s.clock.advance(30_000);
    }
  });
});
