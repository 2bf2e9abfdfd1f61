/**
 * Every migration of the exchange database, one file each, applied in name order at start.
 * A migration that has landed on main is history: never edit it (test/migrations.test.ts pins
 * each file's checksum); add a new file, named with the next number, and list it here.
 */
import type { MigrationSet } from '@tessera/db';
import initial from './0001_initial.ts';
import repairQuoteSourceRate from './0002_repair_quote_source_rate.ts';
import rateLimits from './0003_rate_limits.ts';
import scrubWebhookAnswers from './0005_scrub_webhook_answers.ts';
import buyPageHandoffs from './0006_buy_page_handoffs.ts';

export const exchangeMigrations: MigrationSet = (dialect) => ({
  '0001_initial': initial(dialect),
  '0002_repair_quote_source_rate': repairQuoteSourceRate(dialect),
  '0003_rate_limits': rateLimits(dialect),
  '0005_scrub_webhook_answers': scrubWebhookAnswers(),
  '0006_buy_page_handoffs': buyPageHandoffs(dialect),
});
