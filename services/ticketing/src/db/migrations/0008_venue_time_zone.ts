/**
 * Migration 0008_venue_time_zone. Once landed on main, never edit it (a test pins its checksum);
 * change the schema with a new migration.
 *
 * Every venue gets its IANA time zone (issue 21 item 8): a performance's time is the venue's local
 * time, so the apps show "19:00 KST" for a Seoul concert on a phone set to London, not the phone's
 * "10:00". Venues made before this migration are given Asia/Seoul: the demo and the product are
 * Korean-first, so that is where every existing venue is; an organizer elsewhere corrects it with
 * `PATCH /v1/venues/{venueId}`. The column default only fills those rows: the server always
 * writes a zone it has checked (venues/time-zone.ts).
 */
import type { Dialect } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

export default (_dialect: Dialect): Migration => ({
  async up(db: AnyDB) {
    await db.schema
      .alterTable('venues')
      .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo('Asia/Seoul'))
      .execute();
  },
});
