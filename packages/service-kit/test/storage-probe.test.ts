/**
 * While the database is flagged full, /ready tries a probe write to learn whether space has
 * returned. /ready is public, so a flood of it must not become a flood of writes: the calls that
 * come while a probe is in flight share it. The servers on a really full database:
 * services/{exchange,ticketing}/test/storage-full.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { frameApp } from './frame-app.ts';

const full = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

describe('the readiness probe of a full disk', () => {
  it('makes one probe write however many /ready calls come while it runs', async () => {
    let probes = 0;
    let finish: (error?: Error) => void = () => {};
    let spaceBack = false;
    const app = await frameApp({
      async storageWritable() {
        probes += 1;
        if (spaceBack) return;
        await new Promise<void>((resolve, reject) => {
          finish = (error) => (error ? reject(error) : resolve());
        });
      },
    });
    app.post('/work', { config: { access: 'public' } }, async () => {
      throw full();
    });
    try {
      const refused = await app.inject({ method: 'POST', url: '/work' });
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error.code).toBe('storage_full');

      const answers = Array.from({ length: 20 }, () =>
        app.inject({ method: 'GET', url: '/ready' }),
      );
      await expect.poll(() => probes).toBe(1);
      finish(full());
      for (const answer of await Promise.all(answers)) {
        expect(answer.statusCode).toBe(503);
        expect(answer.json().error.code).toBe('storage_full');
      }
      expect(probes).toBe(1);

      // Space is back: the next /ready probes again, passes, and the service is ready.
      spaceBack = true;
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(200);
      expect(probes).toBe(2);
      // Ready again: no more probes.
      await app.inject({ method: 'GET', url: '/ready' });
      expect(probes).toBe(2);
    } finally {
      await app.close();
    }
  });
});
