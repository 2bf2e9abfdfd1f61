/**
 * The demo's performance with open doors (issue 21): whenever `npm start` runs, Winter Concert has
 * a performance whose doors are open and whose sales go on, and the printed enrolment code covers
 * it. Restarts keep it (no duplicate, nothing moved); once its sales are nearly over a start adds
 * the next one, and the tickets sold for the earlier one stay as they were. The manual clock
 * stands in for the hours between starts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../exchange/src/accounts/auth.ts';
import { demoEnrolmentCode, ensureDoorsOpenPerformance, seedDemo } from '../src/demo.ts';
import { buy } from './fixtures.ts';
import { backends, startTestSystem, type TestSystem } from './harness.ts';

const hourMs = 3_600_000;

describe.each(backends)('the demo concert with open doors on %s', (backend) => {
  let s: TestSystem;
  const ownerPhone = '+821000000002';

  beforeAll(async () => {
    s = await startTestSystem(backend);
    // As `npm start` does: the demo merchant's key at the exchange, then the ticketing demo.
    const merchant = await s.x.signUp('merchant');
    const { key } = await createApiKey(s.x.exchange, merchant.id, 'ticketing demo');
    const seeded = await seedDemo(s.ticketing, { phone: ownerPhone, name: 'Demo Organizer' }, key);
    expect(seeded?.events.map((event) => event.name)).toEqual([
      'Winter Concert',
      'City Transit Pass',
    ]);
  });

  afterAll(async () => {
    await s?.close();
  });

  const performancesOfConcert = () =>
    s.database.db
      .selectFrom('performances as p')
      .innerJoin('events as e', 'e.id', 'p.event_id')
      .select(['p.id', 'p.doors_at', 'p.starts_at', 'p.ends_at', 'p.sales_end'])
      .where('e.slug', '=', 'winter-concert')
      .orderBy('p.starts_at')
      .execute();

  /** The performances the newest enrolment code lets a gate admit to. */
  const enrolled = async () => {
    const row = await s.database.db
      .selectFrom('terminal_enrolments')
      .select('performance_ids')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    return JSON.parse(row.performance_ids) as string[];
  };

  it('every start finds one open, keeps it while its sales last, then adds the next; sold tickets stay', async () => {
    const seededCount = (await performancesOfConcert()).length;
    const first = await ensureDoorsOpenPerformance(s.ticketing, ownerPhone);
    expect(first?.added).toBe(true);
    const now = s.clock.now();
    const row = (await performancesOfConcert()).find((p) => p.id === first?.id);
    // Doors open now; on sale for hours yet, so a buyer following the README can buy and enter.
    expect(row?.doors_at).toBeLessThanOrEqual(now);
    expect(row?.sales_end).toBeGreaterThan(now + 2 * hourMs);
    expect(row?.ends_at).toBeGreaterThan(row?.starts_at ?? Number.POSITIVE_INFINITY);
    await demoEnrolmentCode(s.ticketing, ownerPhone);
    expect(await enrolled()).toContain(first?.id);

    // A ticket sold for it.
    const buyer = await s.createBuyer();
    const availability = await s.request('GET', `/v1/performances/${first?.id}/availability`);
    const standing = (availability.body.categories as { id: string; name: string }[]).find(
      (category) => category.name === 'Standing',
    );
    const bought = await buy(s, buyer, {
      performanceId: first?.id as string,
      categoryId: standing?.id as string,
      quantity: 1,
    });
    expect(bought.order?.status).toBe(201);
    const sold = await s.database.db
      .selectFrom('tickets')
      .select(['id', 'performance_id'])
      .where('performance_id', '=', first?.id as string)
      .execute();
    expect(sold).toHaveLength(1);

    // A restart an hour later: the same performance, nothing added.
    s.clock.advance(hourMs);
    const again = await ensureDoorsOpenPerformance(s.ticketing, ownerPhone);
    expect(again).toEqual({ id: first?.id, startsAt: first?.startsAt, added: false });
    expect(await performancesOfConcert()).toHaveLength(seededCount + 1);

    // A start the next day: its sales are over, so the next one is added and the code covers it;
    // the earlier one keeps its times and its ticket.
    s.clock.advance(24 * hourMs);
    const next = await ensureDoorsOpenPerformance(s.ticketing, ownerPhone);
    expect(next?.added).toBe(true);
    expect(next?.id).not.toBe(first?.id);
    const after = await performancesOfConcert();
    expect(after).toHaveLength(seededCount + 2);
    expect(after.find((p) => p.id === first?.id)).toEqual(row);
    expect(
      await s.database.db
        .selectFrom('tickets')
        .select(['id', 'performance_id'])
        .where('performance_id', '=', first?.id as string)
        .execute(),
    ).toEqual(sold);
    await demoEnrolmentCode(s.ticketing, ownerPhone);
    expect(await enrolled()).toContain(next?.id);
    // Still two demo events: restarts never duplicate them.
    const events = await s.database.db.selectFrom('events').select('id').execute();
    expect(events).toHaveLength(2);
  });
});
