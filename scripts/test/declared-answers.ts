/**
 * Runs in every test file: a test during which a server answered something its OpenAPI document
 * does not declare (a status, a body, a field; packages/service-kit/src/openapi.ts) fails, even
 * if the test itself did not look at that answer.
 */
import { undeclaredAnswers } from '@tessera/service-kit/openapi';
import { afterEach, expect } from 'vitest';

afterEach(() => {
  const seen = undeclaredAnswers().splice(0);
  expect(seen, 'answers the OpenAPI document does not declare').toEqual([]);
});
