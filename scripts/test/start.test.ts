import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('npm start', () => {
  // The first start may build both apps (a fresh clone has no build): minutes, not seconds.
  it('starts both servers and the three apps with demo data on SQLite, answers, and stops cleanly', {
    timeout: 300_000,
  }, () => {
    const script = fileURLToPath(new URL('../start.ts', import.meta.url));
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-start-'));
    try {
      // As the README runs it: no NODE_ENV (the servers' default is production; npm start asks
      // for development itself).
      const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_DATA_DIR: dataDir };
      delete env.NODE_ENV;
      delete env.DATABASE_URL;
      delete env.EXCHANGE_RATES_FILE;
      delete env.EXCHANGE_OPERATOR_TOKEN;
      delete env.TICKETING_OPERATOR_TOKEN;
      delete env.LOG_LEVEL;
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--smoke'], {
        encoding: 'utf8',
        timeout: 180_000,
        env,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/Exchange API\s+http:\/\/127\.0\.0\.1:\d+\s+\(sqlite /);
      expect(run.stdout).toMatch(/Ticketing API\s+http:\/\/127\.0\.0\.1:\d+\s+\(sqlite /);
      expect(run.stdout).toContain('with Winter Concert and City Transit Pass on sale');
      expect(run.stdout).toMatch(
        /Demo buyer\s+\+821000000001 \(person; 1,000,000 KRW and 500 USDT\)/,
      );
      expect(run.stdout).toMatch(/Gate app\s+http:\/\/127\.0\.0\.1:\d+\s+\(the gate terminal\)/);
      // Issue 19: the organizer console, with the demo organizer's sign-in named.
      expect(run.stdout).toMatch(/Console\s+http:\/\/127\.0\.0\.1:\d+\s+\(organizers: sign in/);
      // A fresh enrolment code for the demo gate every start (codes are single-use).
      const code = /Gate enrolment\s+([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})\s/.exec(run.stdout)?.[1];
      expect(code).toBeDefined();
      expect(run.stdout).toContain('smoke check: ok');
      // Issue 21: the concert has a performance whose doors are open now, for the gate to admit,
      // at the hall's clock with its zone ("8 Dec, 04:00 GMT+9").
      const doors = /Doors open now\s+Winter Concert, the performance of ([^:]+:\d\d GMT\+9):/.exec(
        run.stdout,
      )?.[1];
      expect(doors).toBeDefined();
      // A quiet console: the smoke check's requests are logged to data/server.log, not here.
      expect(run.stdout).not.toMatch(/^\{"level"/m);
      expect(run.stderr).not.toMatch(/^\{"level"/m);
      const logFile = join(dataDir, 'server.log');
      expect(run.stdout).toContain(`Server logs       ${logFile}`);
      expect(readFileSync(logFile, 'utf8')).toMatch(/"msg":"request completed"/);
      // The development operator tokens, as docs/operations.md says where they come from.
      expect(run.stdout).toMatch(
        /Operator tokens\s+exchange dev-operator-token-not-for-production\s/,
      );
      expect(run.stdout).toMatch(/\s+ticketing dev-ticketing-operator-not-for-prod\s/);
      // Development, asked for: the SMS inboxes the demo's sign-in needs are there.
      expect(run.stdout).toMatch(/SMS inbox \(dev\)\s+http:\/\/127\.0\.0\.1:\d+\/dev\/sms/);
      // A second start finds the demo data already there and does not create it twice.
      const again = spawnSync(process.execPath, ['--import', 'tsx', script, '--smoke'], {
        encoding: 'utf8',
        timeout: 60_000,
        env,
      });
      expect(again.status, again.stderr).toBe(0);
      // What is true after a restart: the wallet as it stands now (nothing was spent here).
      expect(again.stdout).toMatch(
        /Demo buyer\s+\+821000000001 \(person; created earlier, now 1,000,000 KRW and 500 USDT\)/,
      );
      // The open-doors performance is kept, not added again (restarts must not duplicate it).
      expect(again.stdout).toContain(`Winter Concert, the performance of ${doors}:`);
      const second = /Gate enrolment\s+(\S+)\s/.exec(again.stdout)?.[1];
      expect(second).toBeDefined();
      expect(second).not.toBe(code);
      // --reset starts the demo data over: the buyer is made again with its starting balance.
      const reset = spawnSync(process.execPath, ['--import', 'tsx', script, '--smoke', '--reset'], {
        encoding: 'utf8',
        timeout: 60_000,
        env,
      });
      expect(reset.status, reset.stderr).toBe(0);
      expect(reset.stdout).toMatch(
        /Demo buyer\s+\+821000000001 \(person; 1,000,000 KRW and 500 USDT\)/,
      );
      expect(existsSync(join(dataDir, 'ticketing.db'))).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses NODE_ENV=production: the demo (SMS inboxes, demo accounts) is development only', () => {
    const script = fileURLToPath(new URL('../start.ts', import.meta.url));
    const dataDir = mkdtempSync(join(tmpdir(), 'tessera-start-'));
    try {
      const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--smoke'], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, TESSERA_DATA_DIR: dataDir, NODE_ENV: 'production' },
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('refuses NODE_ENV=production');
      expect(run.stdout).not.toContain('Tessera is running');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
