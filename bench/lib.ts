/**
 * What the benchmarks share: server processes (free ports, waiting for them, stopping them), their
 * CPU and memory, the host's CPU, a throwaway PostgreSQL database, and plain HTTP calls that do
 * not go through a connection pool.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Database, sql } from '@tessera/db';
import { freePort } from '../scripts/free-port.ts';
import { createThrowawayDatabase } from '../scripts/test/postgres.ts';

export { freePort };

export const host = '127.0.0.1';

/**
 * The node flags of each server's production start (`npm run start:built`): a young generation
 * of 8 MB for both. The exchange also gets an old-generation limit, which makes V8 grow its heap
 * by what it keeps rather than by the machine's memory (its benchmark peaked at 220 MB without,
 * 156 MB with, at the same throughput). The ticketing server runs without one: under an on-sale
 * stampede, whose thousand waiting buyers it holds, a limit cost it 10 to 20% more CPU in
 * garbage collection.
 */
export const productionNodeFlags = {
  exchange: ['--max-semi-space-size=8', '--max-old-space-size=1024'],
  ticketing: ['--max-semi-space-size=8'],
} as const;
export const postgresAdminUrl =
  process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throwaway database on the benchmarks' server, or on the cluster of `adminUrl`. */
export function createPostgresDatabase(adminUrl = postgresAdminUrl) {
  return createThrowawayDatabase({
    adminUrl,
    prefix: 'tessera_bench_',
    urlVariable: 'BENCH_POSTGRES_URL',
  });
}

/** Samples the child's resident set every 100 ms; the peak is the figure to hold under 200 MB. */
export function sampleMemory(child: ChildProcess) {
  let max = 0;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, readStatusMb(child, 'VmRSS'));
    } catch {
      // The process has just exited; the last sample stands.
    }
  }, 100);
  return {
    maxMb: () => max,
    stop: () => clearInterval(timer),
  };
}

export function readStatusMb(child: ChildProcess, field: 'VmRSS' | 'VmHWM') {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${child.pid}/status`);
  return Number(match[1]) / 1024;
}

/**
 * CPU time (ms) of each PostgreSQL backend serving the bench database, by process id: the
 * database's own share of a transfer. Empty on SQLite, which runs inside the server.
 */
// biome-ignore lint/suspicious/noExplicitAny: any service's database.
export async function postgresBackendCpu(database: Database<any>) {
  const spent = new Map<number, number>();
  if (database.dialect !== 'postgres') return spent;
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity
    where datname = current_database() and pid <> pg_backend_pid()`.execute(database.db);
  for (const { pid } of rows) {
    try {
      spent.set(pid, cpuMs(pid));
    } catch {
      // The backend has just gone; its share is lost, which only lowers the figure.
    }
  }
  return spent;
}

/**
 * The whole machine's CPU counters from /proc/stat: how busy it was, so a low figure from a
 * machine shared with other work can be told from a slow server.
 */
export function hostCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  const total = values.reduce((sum, value) => sum + value, 0);
  return {
    idle,
    total,
    busyShareSince(before: { idle: number; total: number }) {
      const spent = total - before.total;
      return spent > 0 ? 1 - (idle - before.idle) / spent : 0;
    },
  };
}

/**
 * A process's CPU time (user + system) in milliseconds. Per request it is the figure that holds on
 * a busy machine, where requests per second also measure everyone else's load.
 */
export function cpuMs(target: ChildProcess | number) {
  const pid = typeof target === 'number' ? target : target.pid;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10; // USER_HZ is 100 on Linux.
}

export async function waitForServer(
  child: ChildProcess,
  port: number,
  path: string,
  method: string,
) {
  // A bound, not a pace: a loaded machine (test files beside this one) can take tens of seconds to
  // start a server; one that exits fails at once below.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const response = await call(port, method, path, method === 'POST' ? { body: {} } : {});
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`server on port ${port} did not answer in 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export function call(
  port: number,
  method: string,
  path: string,
  options: {
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    localAddress?: string;
    /** A keep-alive agent to share sockets; by default each call has its own connection. */
    agent?: http.Agent;
  } = {},
): Promise<{ status: number; text: string }> {
  const payload =
    options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host,
        port,
        method,
        path,
        agent: options.agent ?? false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        headers: {
          ...options.headers,
          ...(payload === undefined
            ? {}
            : {
                'content-type': 'application/json',
                'content-length': String(Buffer.byteLength(payload)),
              }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** A fresh rates file for the exchange (KRW per whole unit), observed now. */
export function writeRatesFile(path: string) {
  writeFileSync(
    path,
    JSON.stringify({
      source: 'bench',
      observedAt: new Date().toISOString(),
      fiat: 'KRW',
      rates: { BTC: '95000000', ETH: '4500000', USDT: '1400' },
    }),
  );
}

// autocannon ships no types; the part used here for the baseline.
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method: string;
}) => PromiseLike<{ requests: { total: number }; duration: number; non2xx: number }>;

/**
 * The baseline the on-sale and gate benches measure in the same run: an empty Fastify route's
 * requests per second, from 64 connections for 3 s, in this process.
 */
export async function noopBaseline() {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const port = await freePort();
  const { default: Fastify } = await import('fastify');
  const app = Fastify({ logger: false });
  app.get('/noop', async () => ({}));
  await app.listen({ host, port });
  try {
    const result = await autocannon({
      url: `http://${host}:${port}/noop`,
      connections: 64,
      duration: 3,
      method: 'GET',
    });
    return Math.round(result.requests.total / result.duration);
  } finally {
    await app.close();
  }
}

/**
 * The sweep's levels from `BENCH_CONCURRENCY_LEVELS` (else `fallback`), comma-separated; empty
 * skips the sweep. Parsed at start, so a bad value fails before any work. `unit` names what is
 * counted in the error (connections, terminals, buyers).
 */
export function concurrencyLevels(fallback: string, unit: string): number[] {
  return (process.env.BENCH_CONCURRENCY_LEVELS ?? fallback)
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const level = Number(part);
      if (!Number.isInteger(level) || level < 1 || level > 1024) {
        throw new Error(`BENCH_CONCURRENCY_LEVELS: ${part} is not a ${unit} count from 1 to 1024`);
      }
      return level;
    });
}

/** The value at `share` (0.5: the median) of `values`, nearest rank; NaN for none. */
export function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? Number.NaN;
}

/**
 * What a web app's index.html makes a browser download at start: its module script and the
 * modules it preloads, gzipped as the app's server sends them, in KB (1,024 bytes). Screens
 * loaded later, when first opened, are not counted.
 */
export function initialScriptsKbGzip(distDir: string, log: (line: string) => void): number {
  const index = readFileSync(join(distDir, 'index.html'), 'utf8');
  const initialScripts = [
    ...index.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...index.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((match) => match[1] as string);
  if (initialScripts.length === 0) throw new Error('index.html loads no script');
  let bytes = 0;
  for (const path of initialScripts) {
    const gzipped = gzipSync(readFileSync(join(distDir, path))).length;
    bytes += gzipped;
    log(`initial script ${path}: ${(gzipped / 1024).toFixed(1)} KB gzipped`);
  }
  return Math.round((bytes / 1024) * 10) / 10;
}
