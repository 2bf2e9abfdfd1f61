/**
 * Migration 0005_scrub_webhook_answers. Once landed: never edit it (a test pins its checksum).
 *
 * Until issue 18 the delivery log kept up to 300 characters of a receiver's answer
 * (`HTTP 500: <body>`) and the socket's own error text (`fetch failed: ECONNREFUSED connect
 * ECONNREFUSED 10.0.0.5:5432`), and showed both to the merchant: with a URL aimed inside, a way
 * to read internal services and map their ports. The exchange now keeps only the status and a
 * reason of its own; this rewrites what was kept before the same way, so the old rows stop
 * showing it too. Running it twice changes nothing.
 */
import { sql } from '@tessera/db';
import type { Migration } from 'kysely';
import type { AnyDB } from './any-db.ts';

/** The rewrite of one error column, the same SQL on SQLite and PostgreSQL. */
async function scrub(db: AnyDB, table: 'webhook_attempts' | 'webhook_deliveries', column: string) {
  const t = sql.table(table);
  const c = sql.ref(column);
  // "HTTP 503: <body>" keeps "HTTP 503"; a 3xx says the redirect was not followed.
  await sql`update ${t} set ${c} = case when ${c} like 'HTTP 3__:%'
      then substr(${c}, 1, 8) || ': redirect not followed' else substr(${c}, 1, 8) end
    where ${c} like 'HTTP ___:%'`.execute(db);
  await sql`update ${t} set ${c} = 'connection failed' where ${c} like 'fetch failed%'`.execute(db);
  await sql`update ${t} set ${c} = 'cannot resolve the host'
    where ${c} like 'cannot resolve %' and ${c} <> 'cannot resolve the host'`.execute(db);
}

export default (): Migration => ({
  async up(db: AnyDB) {
    await scrub(db, 'webhook_attempts', 'error');
    await scrub(db, 'webhook_deliveries', 'last_error');
  },
});
