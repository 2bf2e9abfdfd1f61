/**
 * What the two servers' migration tests share: the checksums that pin landed migration files,
 * and migrating a database to a given migration (to stage one made by an earlier release).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database, MigrationSet } from '@tessera/db';
import { type Kysely, Migrator } from 'kysely';
import { expect } from 'vitest';

/** The migration files of a folder (`0001_initial.ts`, ...), in the order they apply. */
export function migrationFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.ts$/.test(name))
    .sort();
}

/** sha256 of each migration file, by file name. */
export function migrationChecksums(dir: string): Record<string, string> {
  return Object.fromEntries(
    migrationFiles(dir).map((name) => [
      name,
      createHash('sha256')
        .update(readFileSync(join(dir, name)))
        .digest('hex'),
    ]),
  );
}

/**
 * Fails when a pinned migration file changed, or a new one is not pinned yet (its checksum is
 * printed, to be added once it lands). A migration that has landed is history: databases
 * migrated with it never run it again, so an edit reaches only new databases.
 */
export function expectPinned(dir: string, pinned: Record<string, string>) {
  const actual = migrationChecksums(dir);
  for (const [name, checksum] of Object.entries(pinned)) {
    expect(actual[name], `${name} was removed or renamed: migrations are history`).toBeDefined();
    expect(actual[name], `${name} was edited after it landed: add a new migration instead`).toBe(
      checksum,
    );
  }
  const unpinned = Object.keys(actual).filter((name) => !(name in pinned));
  expect(
    unpinned.map((name) => `'${name}': '${actual[name]}'`),
    'new migrations to pin in the test',
  ).toEqual([]);
}

/** The migration set's names are exactly the folder's files, in the same order. */
export function expectListed(dir: string, migrations: MigrationSet) {
  const names = Object.keys(migrations('sqlite'));
  expect(names).toEqual(migrationFiles(dir).map((name) => name.replace(/\.ts$/, '')));
  expect(names).toEqual([...names].sort());
}

/** Applies the set's migrations up to and including `name`, as an older release would have. */
export async function migrateTo<DB>(
  database: Database<DB>,
  migrations: MigrationSet,
  name: string,
) {
  const migrator = new Migrator({
    db: database.db as Kysely<unknown>,
    provider: { getMigrations: async () => migrations(database.dialect) },
    ...(database.schema ? { migrationTableSchema: database.schema } : {}),
  });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error;
}
