/**
 * The frame's OpenAPI rules on a bare frame: the answers it gives for a route are declared on it,
 * operations are named, and in tests an answer the route does not declare (a status, a body, a
 * field) is refused and recorded.
 */
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../src/errors.ts';
import { operationIdOf, undeclaredAnswers } from '../src/openapi.ts';
import { frameApp } from './frame-app.ts';

// This file's own refusals are its subject: take them out before the shared check sees them.
afterEach(() => {
  undeclaredAnswers().splice(0);
});

async function appWithRoutes() {
  const app = await frameApp({ checkAnswers: true });
  app.get(
    '/v1/things/:thingId',
    {
      config: { access: 'user' },
      schema: {
        params: Type.Object({ thingId: Type.String() }),
        querystring: Type.Object({ shape: Type.Optional(Type.String()) }),
        response: { 200: Type.Object({ id: Type.String() }) },
      },
    },
    async (request): Promise<{ id: string }> => {
      const shape = request.query.shape;
      if (shape === 'conflict') throw new ApiError(409, 'idempotency_conflict', 'undeclared');
      // What a handler could return past its types (a spread row, a number from the database).
      if (shape === 'extra') return { id: 'x', secret: 'not in the schema' } as { id: string };
      if (shape === 'wrong') return { id: 7 } as unknown as { id: string };
      return { id: request.params.thingId };
    },
  );
  app.post(
    '/v1/things',
    { config: { access: 'public', rateLimit: { max: 100, timeWindow: 60_000 } } },
    async () => ({ ok: true }),
  );
  await app.ready();
  return app;
}

describe('the OpenAPI document of the frame', () => {
  it('declares the answers the frame gives on a route, and names each operation', async () => {
    const app = await appWithRoutes();
    const document = app.swagger() as unknown as {
      openapi: string;
      servers: { url: string }[];
      paths: Record<string, Record<string, { operationId: string; responses: object }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: 'http://127.0.0.1' }]);
    const read = document.paths['/v1/things/{thingId}']?.get;
    expect(read?.operationId).toBe('getThing');
    expect(Object.keys(read?.responses ?? {}).sort()).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '503',
    ]);
    const post = document.paths['/v1/things']?.post;
    expect(post?.operationId).toBe('postThings');
    // Public: no 401/403; a body: 400, 413, 415; rate limited: 429.
    expect(Object.keys(post?.responses ?? {}).sort()).toEqual(['400', '413', '415', '429', '503']);
    expect(document.paths['/health']?.get?.responses).not.toHaveProperty('503');
    await app.close();
  });

  it('names operations after their path, a collection before a parameter in the singular', () => {
    expect(operationIdOf('GET', '/v1/orders/:orderId')).toBe('getOrder');
    expect(operationIdOf('POST', '/v1/orders/:orderId/cancel')).toBe('postOrderCancel');
    expect(operationIdOf('GET', '/v1/organizers/:organizerId/events/by-slug/:slug')).toBe(
      'getOrganizerEventsBySlug',
    );
    expect(operationIdOf('GET', '/v1/me/orders')).toBe('getMeOrders');
    expect(operationIdOf('POST', '/v1/payment-requests/:id/refunds')).toBe(
      'postPaymentRequestRefunds',
    );
    expect(operationIdOf('GET', '/v1/deliveries/:deliveryId')).toBe('getDelivery');
  });
});

describe('checking answers against the declaration', () => {
  it('lets a declared answer through as it is', async () => {
    const app = await appWithRoutes();
    const answer = await app.inject({ method: 'GET', url: '/v1/things/t1' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ id: 't1' });
    expect(undeclaredAnswers()).toEqual([]);
    await app.close();
  });

  it.each([
    ['conflict', 'GET /v1/things/:thingId answered 409, which it does not declare'],
    ['extra', 'GET /v1/things/:thingId answered 200 with a body its schema refuses'],
    ['wrong', 'GET /v1/things/:thingId answered 200 with a body its schema refuses'],
  ])('refuses and records an answer the route does not declare (%s)', async (shape, what) => {
    const app = await appWithRoutes();
    const answer = await app.inject({ method: 'GET', url: `/v1/things/t1?shape=${shape}` });
    expect(answer.statusCode).toBe(500);
    expect(answer.json().error.code).toBe('undeclared_answer');
    expect(undeclaredAnswers()).toHaveLength(1);
    expect(undeclaredAnswers()[0]).toContain(what);
    await app.close();
  });

  it('refuses a success the route does not declare', async () => {
    const app = await appWithRoutes();
    const answer = await app.inject({ method: 'POST', url: '/v1/things', payload: {} });
    expect(answer.statusCode).toBe(500);
    expect(undeclaredAnswers()).toEqual([
      'POST /v1/things answered 200, which it does not declare',
    ]);
    await app.close();
  });

  it('is off unless asked for', async () => {
    const app = await frameApp();
    app.get('/v1/loose', { config: { access: 'public' } }, async () => ({ anything: 1 }));
    const answer = await app.inject({ method: 'GET', url: '/v1/loose' });
    expect(answer.statusCode).toBe(200);
    expect(undeclaredAnswers()).toEqual([]);
    await app.close();
  });
});
