import type { Kysely } from 'kysely';

/** A migration runs against the schema as it was when it landed, not as `schema.ts` says now. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
export type AnyDB = Kysely<any>;
