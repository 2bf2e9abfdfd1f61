/**
 * A PostgreSQL cluster of a test's own (initdb and pg_ctl from /usr/lib/postgresql/<version>/bin,
 * in a temporary folder, on a free loopback port), for a test that must stop and start the whole
 * server: the shared one on 5432 serves the other test files running beside it, and must never
 * be restarted by a test. PostgreSQL refuses to run as root, so as root the cluster belongs to
 * the `postgres` user and its commands run through `runuser`.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../free-port.ts';

const run = promisify(execFile);

export interface PrivateCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: trust authentication on loopback. */
  readonly adminUrl: string;
  /** Stops the server (`-m fast`: every session is terminated) and waits until it is down. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops it and deletes its files. */
  destroy(): Promise<void>;
}

/** Where this machine's PostgreSQL programs are, or why there are none. */
export function postgresBinaries(): { bin: string } | { missing: string } {
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql');
  } catch {
    return { missing: 'no /usr/lib/postgresql on this machine' };
  }
  const version = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  const bin = version ? join('/usr/lib/postgresql', version, 'bin') : undefined;
  if (!bin || !existsSync(join(bin, 'initdb')) || !existsSync(join(bin, 'pg_ctl')))
    return { missing: 'no initdb and pg_ctl under /usr/lib/postgresql/<version>/bin' };
  if (process.getuid?.() === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser'))
    return { missing: 'running as root without runuser to run PostgreSQL as postgres' };
  return { bin };
}

export async function startPrivateCluster(bin: string): Promise<PrivateCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const pg = (program: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, program), ...args])
      : run(join(bin, program), args);
  const port = await freePort();
  await pg('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  // Loopback only, its socket in its own folder; fsync off: nothing here must survive a power cut.
  const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = async () => {
    try {
      await pg('pg_ctl', ['-D', data, '-o', settings, '-l', logFile, '-w', '-t', '60', 'start']);
    } catch (error) {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2_000) : '';
      throw new Error(`the private PostgreSQL did not start: ${String(error)}\n${log}`);
    }
  };
  const stop = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
  };
  await start();
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    async destroy() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
