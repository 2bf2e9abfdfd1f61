/**
 * `npm run bench` runs every scenario; `npm run bench -- <scenario>` runs one. Each scenario is
 * its own process, so one's heap and JIT state cannot colour another's figures, and each prints
 * its result as one JSON line, last.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const scenarios: Record<string, string> = {
  protocol: 'protocol.ts',
  exchange: 'exchange.ts',
  onsale: 'onsale.ts',
  gate: 'gate.ts',
  mobile: 'mobile.ts',
};

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in scenarios));
if (unknown.length > 0) {
  console.error(
    `unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`,
  );
  process.exit(2);
}

let failed = false;
for (const name of requested.length > 0 ? requested : Object.keys(scenarios)) {
  const script = fileURLToPath(new URL(scenarios[name] as string, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`scenario ${name} failed with exit code ${result.status}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
