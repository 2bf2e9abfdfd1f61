/**
 * The database going away under an on-sale (issue 18, item 1), on PostgreSQL: both servers as
 * real processes while their backends are terminated every second for a minute, and then while
 * the whole PostgreSQL server is restarted (bench/db-outage.ts says what runs and what must
 * hold). No server may exit, no answer may be a 500, purchases must go through again once the
 * faults stop, and the books must hold afterwards.
 *
 * The terminations run on the shared server: only this run's sessions are terminated, picked by
 * the application_name the run gives both servers and by its two throwaway databases. The
 * restart runs on a PostgreSQL cluster of the test's own (initdb and pg_ctl in a temporary
 * folder, on a free port; scripts/test/private-postgres.ts) rather than through a TCP proxy: a
 * real restart also refuses connections while the server starts up (57P03) and terminates every
 * session with 57P01, which is what production sees. The shared server on 5432 is never
 * restarted: the other test files use it at the same time. Without PostgreSQL's programs on the
 * machine the restart test is skipped, and says why.
 */
import { afterAll, beforeAll, describe, type ExpectStatic, it } from 'vitest';
import { runDbOutage } from '../../bench/db-outage.ts';
import { postgresAdminUrl } from '../../bench/lib.ts';
import { buildServers } from '../../bench/onsale-setup.ts';
import { type PrivateCluster, postgresBinaries, startPrivateCluster } from './private-postgres.ts';

/** The issue asks for a minute of terminations; TESSERA_OUTAGE_S shortens it by hand. */
const terminateForMs = Number(process.env.TESSERA_OUTAGE_S ?? 60) * 1_000;
const log = (message: string) => console.error(`[db outage test] ${message}`);
// Paced as the crash benchmark is, so that refunds are owed no faster than the worker pays them
// while its connections keep being cut.
const sale = { seats: 60, buyers: 30, thinkMs: { min: 200, max: 800 }, drainMs: 120_000 };

function expectSurvived(expect: ExpectStatic, result: Awaited<ReturnType<typeof runDbOutage>>) {
  expect(result.exits).toEqual([]);
  expect(result.serverErrors).toEqual({});
  for (const status of Object.keys(result.statuses))
    expect(
      ['2', '4', '503'].some((allowed) => status.startsWith(allowed)),
      status,
    ).toBe(true);
  // The faults reached the buyers, and the sale went on after them.
  expect(result.statuses['503'] ?? 0).toBeGreaterThan(0);
  expect(result.purchasesAfter).toBeGreaterThanOrEqual(3);
  expect(result.violations).toEqual([]);
}

describe('the servers survive losing PostgreSQL during an on-sale', () => {
  beforeAll(async () => {
    await buildServers();
  }, 60_000);

  // The two tests run at the same time: each has its own servers, ports, databases and buyers
  // (the restart on a cluster of its own), the terminations pick only their own run's sessions,
  // and both are mostly waiting (a minute of faults, recovery, the workers finishing). One after
  // the other they kept a test worker busy for about two minutes.
  it.concurrent("terminating both servers' backends every second for a minute: no exit, no 500, books hold", {
    timeout: terminateForMs + 300_000,
  }, async ({ expect }) => {
    const result = await runDbOutage({
      ...sale,
      adminUrl: postgresAdminUrl,
      faults: { kind: 'terminate', forMs: terminateForMs, everyMs: 1_000 },
      log: (message) => log(`terminate: ${message}`),
    });
    expect(result.faults).toBeGreaterThan(terminateForMs / 1_000);
    expectSurvived(expect, result);
  });

  const binaries = postgresBinaries();
  let cluster: PrivateCluster | undefined;
  afterAll(async () => {
    await cluster?.destroy();
  });

  it.skipIf('missing' in binaries)(
    `restarting PostgreSQL three times: not ready while down, no exit, no 500, books hold${
      'missing' in binaries ? ` (skipped: ${binaries.missing})` : ''
    }`,
    { timeout: 300_000, concurrent: true },
    async ({ expect }) => {
      if (!('bin' in binaries)) return;
      cluster = await startPrivateCluster(binaries.bin);
      const result = await runDbOutage({
        ...sale,
        adminUrl: cluster.adminUrl,
        faults: { kind: 'restart', times: 3, cluster },
        log: (message) => log(`restart: ${message}`),
      });
      expect(result.faults).toBe(3);
      expect(result.notReadyWhileDown).toBe(true);
      expectSurvived(expect, result);
    },
  );
});
