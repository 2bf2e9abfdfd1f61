/**
 * The order the test files start in. Two workers share the files; on a clean clone Vitest has no
 * durations cached and starts them in glob order, which puts scripts/test (the crash and outage
 * suites, minutes each and mostly waiting) last, so one worker ran a three-minute file alone at
 * the end (CI: vitest 924 s). Starting the longest first (the longest-processing-time rule) lets
 * the short files fill in beside them. The list is the files over about 20 s in a CI run (and
 * those over 50 s in a full run on a busy machine), longest first; a file not listed keeps
 * Vitest's own order (cached durations, when there are any). The outage suite runs its two
 * halves at the same time (mostly waiting for PostgreSQL), the crash suite one after the other.
 */
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export const longestFirst = [
  'scripts/test/crash.test.ts',
  'apps/gate/test/app.test.ts',
  'scripts/test/db-outage.test.ts',
  'apps/mobile/test/app.test.ts',
  'scripts/test/full-story.test.ts',
  // The console's browser suites (issue 19), each a minute or more over both databases.
  'apps/console/test/story.test.ts',
  'apps/console/test/venues.test.ts',
  'apps/console/test/sales.test.ts',
  'apps/console/test/events.test.ts',
  'apps/console/test/organization.test.ts',
  // The event day (issue 20): the console and two gate apps, and the check-in feed's keep-alive.
  'services/ticketing/test/checkin.test.ts',
  'scripts/test/event-day.test.ts',
  'apps/console/test/checkin.test.ts',
  'apps/console/test/gates.test.ts',
  'apps/console/test/door-sales.test.ts',
  'apps/console/test/closing.test.ts',
  'packages/protocol/test/fuzz.test.ts',
  'services/exchange/test/ready.test.ts',
  'services/ticketing/test/transfer-sender.test.ts',
  'services/ticketing/test/input.test.ts',
  'services/ticketing/test/purchase.test.ts',
  'services/ticketing/test/after-sale.test.ts',
  'services/ticketing/test/door-sales.test.ts',
  'services/ticketing/test/secret-rotation.test.ts',
  'apps/mobile/test/ticket-states.test.ts',
  'services/ticketing/test/cli.test.ts',
  'services/ticketing/test/gate-races.test.ts',
  'scripts/test/start.test.ts',
  'services/ticketing/test/gate-offline.test.ts',
  'scripts/test/tour.test.ts',
  'apps/mobile/test/seat-map.test.ts',
  'services/ticketing/test/exchange-outage.test.ts',
];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = longestFirst.findIndex((path) => file.moduleId.endsWith(`/${path}`));
      return index === -1 ? longestFirst.length : index;
    };
    // Array.prototype.sort is stable: the files not listed keep the order Vitest gave them.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
