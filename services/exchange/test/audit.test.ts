/**
 * The audit command: replays the journal of a real database and exits 0 when every balance and
 * invariant holds, 1 on any mismatch, naming it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { key, startTestExchange } from './harness.ts';

const cli = fileURLToPath(new URL('../src/cli/audit.ts', import.meta.url));

function audit(sqlitePath: string) {
  // As an operator runs it beside a production server: NODE_ENV unset, no secrets in sight.
  const env: NodeJS.ProcessEnv = { ...process.env, EXCHANGE_SQLITE_PATH: sqlitePath };
  delete env.NODE_ENV;
  delete env.DATABASE_URL;
  for (const name of Object.keys(env)) if (/SECRET|TOKEN/.test(name)) delete env[name];
  return spawnSync(process.execPath, ['--import', 'tsx', cli], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });
}

describe('npm run audit', () => {
  it('passes a consistent ledger and fails a tampered one, saying where', async () => {
    const x = await startTestExchange('sqlite');
    const sqlitePath = join(x.dir, 'exchange.db');
    try {
      const alice = await x.signUp('person');
      const bob = await x.signUp('person');
      await x.fund(alice.accountId, 'USDT', 9_000_000n);
      const sent = await x.request('POST', '/v1/transfers', {
        token: alice.token,
        key: key(),
        body: { to: { subscriberId: bob.id }, asset: 'USDT', amount: '4' },
      });
      expect(sent.status).toBe(201);

      const clean = audit(sqlitePath);
      expect(clean.status, clean.stderr).toBe(0);
      const report = JSON.parse(clean.stdout) as {
        ok: boolean;
        entries: number;
        owedToSubscribers: Record<string, string>;
      };
      expect(report.ok).toBe(true);
      expect(report.entries).toBe(2);
      expect(report.owedToSubscribers.USDT).toBe('9000000');

      // Someone edits a balance behind the journal's back.
      await x.database.db
        .updateTable('balances')
        .set({ amount: '5000001' })
        .where('account_id', '=', alice.accountId)
        .where('asset', '=', 'USDT')
        .execute();
      const tampered = audit(sqlitePath);
      expect(tampered.status).toBe(1);
      expect(tampered.stdout).toContain(
        `balance ${alice.accountId} USDT is 5000001 but the journal says 5000000`,
      );
      expect(tampered.stdout).toContain('USDT: all balances sum to 1, not zero');
    } finally {
      await x.close();
    }
  });
});
