/**
 * Both servers' OpenAPI documents, as they serve them, pass Redocly's linter (`redocly lint`,
 * its recommended rules; the linter most API tooling runs) with no error and no warning but the
 * ones listed below with their reason. Also what the linter does not check: every operation is
 * named, says who may call it, and public ones need no token.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeDocument, type OpenApiDocument, ticketingDocument } from '../openapi-documents.ts';
import { repoRoot } from './source-tree.ts';

const run = promisify(execFile);

/** Warnings that are true of the API and stay: `rule pointer`, with why. */
const acceptedWarnings = new Set([
  // Public reads that take no input and no token: nothing about a request can be wrong.
  'operation-4xx-response #/paths/~1health/get/responses',
  'operation-4xx-response #/paths/~1ready/get/responses',
  'operation-4xx-response #/paths/~1v1~1assets/get/responses',
  'operation-4xx-response #/paths/~1v1~1rates/get/responses',
]);

interface Problem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer: string }[];
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-openapi-'));
const documents: Record<string, OpenApiDocument> = {};

beforeAll(async () => {
  documents.ticketing = await ticketingDocument();
  documents.exchange = await exchangeDocument();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lint(name: string): Promise<Problem[]> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(documents[name], null, 2));
  const linter = join(repoRoot, 'node_modules', '.bin', 'redocly');
  const answer = await run(linter, ['lint', file, '--format=json'], {
    cwd: dir,
    // No telemetry and no update check: CI has no internet.
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((failure: { stdout?: string }) => failure);
  const report = JSON.parse(answer.stdout ?? '') as { problems: Problem[] };
  return report.problems;
}

describe.each(['ticketing', 'exchange'])('the %s OpenAPI document', (name) => {
  it('passes redocly lint with its recommended rules', async () => {
    const problems = (await lint(name))
      .map((problem) => ({
        severity: problem.severity,
        found: `${problem.ruleId} ${problem.location[0]?.pointer ?? ''}`,
        message: problem.message,
      }))
      .filter((problem) => !acceptedWarnings.has(problem.found) || problem.severity === 'error');
    expect(problems).toEqual([]);
  });

  it('is OpenAPI 3.1 with servers, and names every operation and who may call it', () => {
    const document = documents[name] as {
      openapi: string;
      servers: { url: string }[];
      paths: Record<string, Record<string, Operation>>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers[0]?.url).toMatch(/^https?:\/\//);
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        at: `${method.toUpperCase()} ${path}`,
        ...operation,
      })),
    );
    expect(operations.length).toBeGreaterThan(30);
    for (const operation of operations) {
      expect(operation.operationId, operation.at).toMatch(/^[a-z][A-Za-z0-9]+$/);
      expect(operation['x-access'], operation.at).toBeTruthy();
      // Public means no token (`security: []`); anything else needs the bearer token.
      expect(operation.security?.length === 0, operation.at).toBe(
        operation['x-access'] === 'public',
      );
      expect(Object.keys(operation.responses).some((status) => /^2/.test(status))).toBe(true);
    }
    const ids = operations.map((operation) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

interface Operation {
  operationId?: string;
  'x-access'?: string;
  security?: unknown[];
  responses: Record<string, unknown>;
}

describe('webhooks', () => {
  it("the exchange's document describes every event it sends as a signed webhook", () => {
    const webhooks = (documents.exchange as { webhooks: Record<string, WebhookItem> }).webhooks;
    expect(Object.keys(webhooks)).toContain('payment_request.paid');
    for (const [type, item] of Object.entries(webhooks)) {
      const headers = item.post.parameters.map((parameter) => parameter.name);
      expect(headers, type).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
      const body = item.post.requestBody.content['application/json'].schema;
      expect(body.properties.type.const, type).toBe(type);
    }
  });

  it("the ticketing server's receiver is described with its body and signature headers", () => {
    const paths = (documents.ticketing as { paths: Record<string, Record<string, WebhookPost>> })
      .paths;
    const receiver = paths['/v1/exchange/webhooks/{organizerId}']?.post;
    expect(receiver?.security).toEqual([]);
    const headers = receiver?.parameters.filter((parameter) => parameter.in === 'header');
    expect(headers?.map((parameter) => parameter.name).sort()).toEqual([
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ]);
    expect(receiver?.requestBody.content['application/json'].schema.properties).toHaveProperty(
      'data',
    );
  });
});

interface WebhookPost {
  security?: unknown[];
  parameters: { name: string; in: string }[];
  requestBody: {
    content: {
      'application/json': { schema: { properties: Record<string, { const?: string }> } };
    };
  };
}

interface WebhookItem {
  post: WebhookPost & {
    requestBody: {
      content: { 'application/json': { schema: { properties: { type: { const: string } } } } };
    };
  };
}
