/**
 * Builds the gate app when its build is missing or stale, for `npm start`, the tests and the
 * benchmark, the way the mobile app's build does (apps/mobile/server/build.ts): stale means the
 * inputs' content changed (sources, public files, config, and the protocol package and the
 * mobile app's HTTP helper that the bundle includes), and `vite build` runs in its own process
 * under a lock directory, so parallel callers never write into dist/ together.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gateDistDir } from './serve.ts';

const appDir = fileURLToPath(new URL('../', import.meta.url));
// The bundle includes the protocol package, the mobile app's HTTP helper and its service worker.
const inputDirs = ['src', 'public', '../../packages/protocol/src', '../mobile/src/api'];
const sharedFiles = ['../mobile/src/sw.ts'];
const inputFiles = ['index.html', 'vite.config.ts', 'package.json', 'server/serve.ts'];
const stampFile = join(gateDistDir, '.build-inputs');
const lockDir = join(appDir, '.build-lock');
/** A lock older than this was left by a build that died, and is taken over. */
const lockStaleMs = 5 * 60_000;
const lockWaitMs = 3 * 60_000;
const lockPollMs = 200;

function inputsHash(): string {
  const hash = createHash('sha256');
  const files = [
    ...[...inputFiles, ...sharedFiles].map((file) => join(appDir, file)),
    ...inputDirs.flatMap((dir) =>
      readdirSync(join(appDir, dir), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name))
        .sort(),
    ),
  ];
  for (const file of files)
    hash.update(file.slice(appDir.length)).update('\0').update(readFileSync(file));
  return hash.digest('hex');
}

const upToDate = (inputs: string) => {
  try {
    statSync(join(gateDistDir, 'index.html'));
    return readFileSync(stampFile, 'utf8') === inputs;
  } catch {
    return false;
  }
};

async function lock(): Promise<() => void> {
  const giveUpAt = Date.now() + lockWaitMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const age = Date.now() - (statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > lockStaleMs) rmSync(lockDir, { recursive: true, force: true });
    else if (Date.now() > giveUpAt) {
      throw new Error(`another build of the gate app holds ${lockDir}; remove it if none runs`);
    } else await new Promise((wake) => setTimeout(wake, lockPollMs));
  }
}

function viteBuild(log: (line: string) => void): Promise<void> {
  // Vite's package exports its package.json; the command sits beside it.
  const vite = join(
    dirname(createRequire(join(appDir, 'package.json')).resolve('vite/package.json')),
    'bin',
    'vite.js',
  );
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', failed);
    child.once('exit', (code) => {
      const text = Buffer.concat(output).toString();
      if (code !== 0)
        failed(new Error(`vite build of the gate app failed (exit ${code}):\n${text}`));
      else {
        for (const line of text.split('\n').filter(Boolean)) log(line);
        done();
      }
    });
  });
}

/** Builds dist/ if needed; `built` says whether it did. */
export async function ensureGateBuild(
  options: { log?: (line: string) => void } = {},
): Promise<{ built: boolean; distDir: string }> {
  if (upToDate(inputsHash())) return { built: false, distDir: gateDistDir };
  const unlock = await lock();
  try {
    const inputs = inputsHash();
    if (upToDate(inputs)) return { built: false, distDir: gateDistDir };
    const log = options.log ?? (() => undefined);
    log('building the gate app (vite build)…');
    await viteBuild(log);
    mkdirSync(gateDistDir, { recursive: true });
    writeFileSync(stampFile, inputs);
    return { built: true, distDir: gateDistDir };
  } finally {
    unlock();
  }
}
