/**
 * `npm start`'s server log (scripts/server-log.ts), with a real server's logger: every request's
 * lines go to the file, and the console gets one short line for an error and nothing else.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFastify } from '@tessera/service-kit/http';
import { afterAll, describe, expect, it } from 'vitest';
import { serverLog } from '../server-log.ts';

describe("npm start's server log", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-server-log-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps request lines in the file and echoes only errors, one short line each', async () => {
    const file = join(dir, 'server.log');
    const echoed: string[] = [];
    const logs = serverLog(file, (line) => echoed.push(line));
    const app = createFastify({ logLevel: 'info', logStream: logs.streamFor('ticketing') });
    app.get('/fine', async () => ({ ok: true }));
    app.get('/broken', async () => {
      throw new Error('the disk caught fire');
    });
    for (let i = 0; i < 5; i++) expect((await app.inject('/fine')).statusCode).toBe(200);
    expect(echoed).toEqual([]);
    expect((await app.inject('/broken')).statusCode).toBe(500);
    await app.close();
    await logs.close();

    expect(echoed).toHaveLength(1);
    expect(echoed[0]).toMatch(
      /^ticketing error: .*the disk caught fire \(more in .*server\.log\)$/,
    );
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    // Each request's arrival and completion, and the error with its stack.
    expect(lines.filter((line) => line.includes('"msg":"request completed"'))).toHaveLength(6);
    expect(lines.some((line) => line.includes('"level":50') && line.includes('"stack"'))).toBe(
      true,
    );
  });
});
