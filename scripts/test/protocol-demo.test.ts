import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('npm run demo', () => {
  it('shows a live barcode that the offline gate admits, and refuses the copy and the replay', () => {
    const script = fileURLToPath(new URL('../protocol-demo.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', script, '--once'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/the live barcode \.+ ADMIT \(valid\)/);
    expect(run.stdout).toMatch(/a copy on another phone \.+ REFUSE \(wrong_device/);
    expect(run.stdout).toMatch(/a screenshot 60 s later \.+ REFUSE \(stale/);
    expect(run.stdout).toMatch(/the manual code \.+ ADMIT \(valid\)/);
    expect(run.stdout).toMatch(/QR version (10|[1-9])-M/);
  });
});
