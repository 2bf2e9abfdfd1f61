/**
 * A full disk at the ticketing server (issue 18, item 2): a write the database refuses for lack
 * of space is 503 `storage_full` with Retry-After, /ready says not ready and the metrics count
 * it, nothing of the refused request is kept (a seat map is stored whole or not at all), and
 * service resumes once space returns. The disk is filled with SQLite's `max_page_count`
 * (scripts/test/sqlite-full.ts); PostgreSQL's disk_full is classified by the same
 * `isStorageFull` (packages/db/test/storage-full.test.ts).
 */
import { sql } from '@tessera/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillUp, roomAgain, sample } from '../../../scripts/test/sqlite-full.ts';
import { seatMap } from './fixtures.ts';
import { startTestSystem, type TestSystem } from './harness.ts';

describe('a full disk at the ticketing server (SQLite)', () => {
  let s: TestSystem;
  beforeAll(async () => {
    s = await startTestSystem('sqlite');
  });
  afterAll(async () => s?.close());

  const metrics = async () =>
    (await s.request('GET', '/metrics', { token: s.ticketing.config.operatorToken })).raw;
  const seatsByVenue = async () => {
    const { rows } = await sql<{ venue_id: string; seats: number }>`
      select v.id as venue_id, count(s.venue_id) as seats
      from venues v left join seats s on s.venue_id = v.id group by v.id`.execute(s.database.db);
    return new Map(rows.map((row) => [row.venue_id, Number(row.seats)]));
  };

  it('answers 503 storage_full, is not ready, counts it, keeps nothing half-written, and resumes', async () => {
    const organizer = await s.createOrganizer();
    const token = organizer.owner.token;
    expect((await s.request('GET', '/ready')).status).toBe(200);
    const newVenue = () =>
      s.request('POST', `/v1/organizers/${organizer.id}/venues`, {
        token,
        body: {
          name: 'Hall',
          address: 'Seoul',
          latitude: 37.4786,
          longitude: 127.0115,
          radiusM: 300,
        },
      });
    const putMap = (venueId: string) =>
      s.request('PUT', `/v1/venues/${venueId}/seat-map`, { token, body: seatMap(20, 20, 0) });

    await fillUp(s.database.db);
    // Venues of 400 seats until one does not fit: its venue or its seat map is refused.
    let refused: Awaited<ReturnType<typeof newVenue>> | undefined;
    let retry: () => Promise<Awaited<ReturnType<typeof newVenue>>> = newVenue;
    for (let i = 0; i < 100 && !refused; i++) {
      const venue = await newVenue();
      if (venue.status !== 201) {
        refused = venue;
        break;
      }
      const map = await putMap(venue.body.id);
      if (map.status !== 200) {
        refused = map;
        retry = () => putMap(venue.body.id);
      }
    }
    expect(refused?.status, refused?.raw).toBe(503);
    expect(refused?.body.error.code).toBe('storage_full');
    expect(refused?.headers['retry-after']).toBe('30');

    const ready = await s.request('GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('storage_full');
    const full = await metrics();
    expect(sample(full, 'tessera_storage_full_total')).toBeGreaterThanOrEqual(1);
    expect(sample(full, 'tessera_storage_full')).toBe(1);

    // Nothing half-written: every venue has its whole map, but for a refused map: none of it.
    const during = await seatsByVenue();
    const partial = [...during.values()].filter((seats) => seats !== 400);
    expect(partial.length <= 1 && partial.every((seats) => seats === 0), String(partial)).toBe(
      true,
    );

    // Space returns: ready again, and the refused call goes through.
    await roomAgain(s.database.db);
    expect((await s.request('GET', '/ready')).status).toBe(200);
    expect(sample(await metrics(), 'tessera_storage_full')).toBe(0);
    const retried = await retry();
    expect([200, 201], retried.raw).toContain(retried.status);
    if (retried.status === 201) expect((await putMap(retried.body.id)).status).toBe(200);
    const after = await seatsByVenue();
    expect([...after.values()].every((seats) => seats === 400)).toBe(true);
    expect(after.size).toBe(during.size + (retry === newVenue ? 1 : 0));
  });
});
