/**
 * One JSON request through Fastify's inject, as the servers' test harnesses send them: a bearer
 * token, an Idempotency-Key, extra headers, an object or a raw string body.
 */
import type { FastifyInstance } from 'fastify';

export interface TestRequest {
  token?: string;
  body?: unknown;
  key?: string;
  headers?: Record<string, string>;
}

export async function injectJson(
  // biome-ignore lint/suspicious/noExplicitAny: either server's app, whatever its type provider.
  app: FastifyInstance<any, any, any, any, any>,
  method: string,
  url: string,
  options: TestRequest = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.key) headers['idempotency-key'] = options.key;
  const response = await app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(options.body === undefined
      ? {}
      : { payload: typeof options.body === 'string' ? options.body : (options.body as object) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON came back.
  let json: any;
  try {
    json = response.json();
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, body: json, headers: response.headers, raw: response.body };
}
