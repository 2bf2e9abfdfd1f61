/**
 * The checked-in documents and types are what the servers' route schemas make today: a route
 * whose schema changed without `npm run api:generate` fails here, before a client drifts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiClientFiles, repositoryRoot } from '../../../scripts/generate-api-client.ts';

describe('@tessera/api-client', () => {
  it('is generated from the servers as they are (else run `npm run api:generate`)', async () => {
    const files = await apiClientFiles();
    expect([...files.keys()].sort()).toEqual([
      'packages/api-client/openapi/exchange.json',
      'packages/api-client/openapi/ticketing.json',
      'packages/api-client/src/exchange.ts',
      'packages/api-client/src/ticketing.ts',
    ]);
    const stale: string[] = [];
    for (const [path, content] of files) {
      const checkedIn = await readFile(join(repositoryRoot, path), 'utf8').catch(() => undefined);
      if (checkedIn !== content) stale.push(path);
    }
    expect(
      stale,
      `stale generated files: ${stale.join(', ')}; run \`npm run api:generate\` and commit them`,
    ).toEqual([]);
  });
});
