/**
 * Builds a web app when its build is missing or stale, for `npm start`, the tests and the
 * benchmarks. Stale means: the inputs differ from those of the last build, by content (a hash of
 * the app's sources, public files, config and the packages it bundles), not by time, so a
 * checkout that touches files without changing them does not rebuild.
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
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AppBuildOptions {
  /** The app's name in messages: "mobile" says "building the mobile app". */
  name: string;
  /** The app's folder, where vite.config.ts is. */
  appDir: string;
  distDir: string;
  /**
   * What the build is made from besides the app's own index.html, vite.config.ts, package.json,
   * src/ and public/: files or folders, relative to appDir (the modules the bundle or the
   * config imports from elsewhere).
   */
  inputs: readonly string[];
}

export interface AppBuildResult {
  built: boolean;
  distDir: string;
}

/** Builds dist/ if needed; `built` says whether it did. */
export type EnsureAppBuild = (options?: {
  log?: (line: string) => void;
}) => Promise<AppBuildResult>;

const ownInputs = ['index.html', 'vite.config.ts', 'package.json', 'src', 'public'];
/** Every app's vite.config.ts is made with it, so a change to it is a change to each build. */
const viteAppModule = fileURLToPath(new URL('./vite-app.ts', import.meta.url));
/** A lock older than this was left by a build that died; it is taken over. */
const lockStaleMs = 5 * 60_000;
const lockWaitMs = 3 * 60_000;
const lockPollMs = 200;

function filesOf(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function hashInputs(options: AppBuildOptions): string {
  const hash = createHash('sha256');
  const paths = [...ownInputs, ...options.inputs].map((input) => resolve(options.appDir, input));
  // Named relative to the app, so that the same checkout elsewhere is still fresh.
  for (const file of [...paths, viteAppModule].flatMap(filesOf)) {
    hash.update(relative(options.appDir, file)).update('\0').update(readFileSync(file));
  }
  return hash.digest('hex');
}

const stampFile = (options: AppBuildOptions) => join(options.distDir, '.build-inputs');

function isFresh(options: AppBuildOptions, inputs: string): boolean {
  try {
    return (
      readFileSync(stampFile(options), 'utf8') === inputs &&
      existsSync(join(options.distDir, 'index.html'))
    );
  } catch {
    return false;
  }
}

async function takeLock(options: AppBuildOptions): Promise<() => void> {
  const lockDir = join(options.appDir, '.build-lock');
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
      throw new Error(
        `another build of the ${options.name} app holds ${lockDir}; remove it if none runs`,
      );
    }
    await new Promise((wake) => setTimeout(wake, lockPollMs));
  }
}

function runViteBuild(options: AppBuildOptions, log: (line: string) => void): Promise<void> {
  // The package exports only its package.json besides its API; its command sits beside it.
  const vitePackage = createRequire(join(options.appDir, 'package.json')).resolve(
    'vite/package.json',
  );
  const vite = join(dirname(vitePackage), 'bin', 'vite.js');
  return new Promise((done, failed) => {
    const child = spawn(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: options.appDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const output: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', failed);
    child.once('exit', (code) => {
      const text = Buffer.concat(output).toString();
      if (code !== 0) {
        failed(new Error(`vite build of the ${options.name} app failed (exit ${code}):\n${text}`));
        return;
      }
      for (const line of text.split('\n').filter(Boolean)) log(line);
      done();
    });
  });
}

/** The app's `ensure…Build`: builds dist/ when its inputs changed since the last build. */
export function appBuild(options: AppBuildOptions): EnsureAppBuild {
  const { distDir } = options;
  return async ({ log = () => undefined } = {}) => {
    if (isFresh(options, hashInputs(options))) return { built: false, distDir };
    const release = await takeLock(options);
    try {
      const inputs = hashInputs(options);
      if (isFresh(options, inputs)) return { built: false, distDir };
      log(`building the ${options.name} app (vite build)…`);
      await runViteBuild(options, log);
      mkdirSync(distDir, { recursive: true });
      writeFileSync(stampFile(options), inputs);
      return { built: true, distDir };
    } finally {
      release();
    }
  };
}
