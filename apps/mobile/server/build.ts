/**
 * Builds the app when its build is missing or stale, for `npm start`, the tests and the
 * benchmark. Stale means: the inputs differ from those of the last build, by content (a hash of
 * the app's sources, public files, config and the protocol package it bundles), not by time, so
 * a checkout that touches files without changing them does not rebuild.
 *
 * The build runs `vite build` in its own process (it is heavy, and keeps the caller's memory
 * clean), under a lock directory, so two callers at once (test files in parallel, `npm start`
 * beside a test) never write into dist/ together: the second waits and finds it fresh.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mobileDistDir } from './serve.ts';

const appDir = fileURLToPath(new URL('../', import.meta.url));
const protocolDir = fileURLToPath(new URL('../../../packages/protocol/src/', import.meta.url));
const stampFile = join(mobileDistDir, '.build-inputs');
const lockDir = join(appDir, '.build-lock');
/** A lock older than this was left by a build that died; it is taken over. */
const lockStaleMs = 5 * 60_000;
const lockWaitMs = 3 * 60_000;
const lockPollMs = 200;

function hashInputs(): string {
  const hash = createHash('sha256');
  const add = (path: string) => hash.update(path).update('\0').update(readFileSync(path));
  for (const file of ['index.html', 'vite.config.ts', 'package.json', 'server/serve.ts']) {
    add(join(appDir, file));
  }
  for (const dir of [join(appDir, 'src'), join(appDir, 'public'), protocolDir]) {
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    for (const file of files) add(file);
  }
  hash.update(relative(appDir, protocolDir));
  return hash.digest('hex');
}

function isFresh(inputs: string): boolean {
  try {
    return (
      readFileSync(stampFile, 'utf8') === inputs && existsSync(join(mobileDistDir, 'index.html'))
    );
  } catch {
    return false;
  }
}

async function takeLock(): Promise<() => void> {
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      mkdirSync(lockDir);
      return () => rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    try {
      if (Date.now() - statSync(lockDir).mtimeMs > lockStaleMs) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
    } catch {
      continue; // released meanwhile
    }
    if (Date.now() > deadline) {
      throw new Error(`another build of the mobile app holds ${lockDir}; remove it if none runs`);
    }
    await new Promise((resolve) => setTimeout(resolve, lockPollMs));
  }
}

function runViteBuild(log: (line: string) => void): Promise<void> {
  // The package exports only its package.json besides its API; its command sits beside it.
  const vitePackage = createRequire(join(appDir, 'package.json')).resolve('vite/package.json');
  const vite = join(dirname(vitePackage), 'bin', 'vite.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) {
        for (const line of output.split('\n').filter(Boolean)) log(line);
        resolve();
      } else {
        reject(new Error(`vite build failed (exit ${code}):\n${output}`));
      }
    });
  });
}

/** Builds dist/ if needed; `built` says whether it did. */
export async function ensureMobileBuild(
  options: { log?: (line: string) => void } = {},
): Promise<{ built: boolean; distDir: string }> {
  const log = options.log ?? (() => undefined);
  if (isFresh(hashInputs())) return { built: false, distDir: mobileDistDir };
  const release = await takeLock();
  try {
    const inputs = hashInputs();
    if (isFresh(inputs)) return { built: false, distDir: mobileDistDir };
    log('building the mobile app (vite build)…');
    await runViteBuild(log);
    mkdirSync(mobileDistDir, { recursive: true });
    writeFileSync(stampFile, inputs);
    return { built: true, distDir: mobileDistDir };
  } finally {
    release();
  }
}
