/**
 * A lost database connection reaches the client as 503 `database_unavailable` with
 * `Retry-After: 1`, never 500 (issue 18, item 1): whatever form node-postgres or PostgreSQL
 * gives it, while any other error stays a 500. The servers under real terminations and restarts:
 * scripts/test/db-outage.test.ts.
 */
import { DatabaseUnavailableError } from '@tessera/db';
import { describe, expect, it } from 'vitest';
import { frameApp } from './frame-app.ts';

async function appThrowing(error: unknown) {
  const app = await frameApp();
  app.get('/work', { config: { access: 'public' } }, async () => {
    throw error;
  });
  return app;
}

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('the service frame when the database goes away', () => {
  it.each([
    [
      'a terminated backend (57P01)',
      pgError('57P01', 'terminating connection due to administrator command'),
    ],
    ['a server starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['a connection failure (08006)', pgError('08006', 'connection failure')],
    ['a refused connection', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a reset connection', pgError('ECONNRESET', 'read ECONNRESET')],
    ['a connection ended mid-query', new Error('Connection terminated unexpectedly')],
    [
      'a commit whose outcome is unknown',
      new DatabaseUnavailableError(new Error('Connection terminated'), true),
    ],
  ])('answers %s with 503 database_unavailable and Retry-After: 1', async (_what, error) => {
    const app = await appThrowing(error);
    try {
      const answer = await app.inject({ method: 'GET', url: '/work' });
      expect(answer.statusCode).toBe(503);
      expect(answer.headers['retry-after']).toBe('1');
      expect(answer.json()).toEqual({
        error: {
          code: 'database_unavailable',
          message: 'the database is unavailable; try again in a moment',
        },
      });
    } finally {
      await app.close();
    }
  });

  it('still answers any other error with 500', async () => {
    const app = await appThrowing(
      pgError('23505', 'duplicate key value violates unique constraint'),
    );
    try {
      const answer = await app.inject({ method: 'GET', url: '/work' });
      expect(answer.statusCode).toBe(500);
      expect(answer.json().error.code).toBe('internal_error');
    } finally {
      await app.close();
    }
  });
});
