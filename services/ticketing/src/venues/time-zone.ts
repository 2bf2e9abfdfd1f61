/**
 * A venue's time zone: an IANA name ("Asia/Seoul") that the platform's Intl knows, stored in its
 * canonical spelling ("asia/seoul" and the alias "US/Pacific" become "Asia/Seoul" and
 * "America/Los_Angeles"), so every app that formats a performance's time in it finds it.
 */
import { badRequest } from '@tessera/service-kit/errors';

/**
 * Where venues made without a zone are: the demo and the product are Korean-first (migration
 * 0008_venue_time_zone gave every earlier venue this zone too).
 */
export const defaultTimeZone = 'Asia/Seoul';

/** The longest IANA name is 32 characters ("America/Argentina/ComodRivadavia"); some room. */
export const timeZoneCharsMax = 64;

/**
 * Zone names only: letters first, then letters, digits, `/`, `_`, `+` and `-` ("Etc/GMT+9").
 * Offsets like "+09:00" are refused even where an engine accepts them: an offset has no summer
 * time, so it would show the wrong hour half of the year.
 */
export const timeZonePattern = '^[A-Za-z][A-Za-z0-9_+/-]*$';

/** The zone's canonical name, or a 400 `invalid_time_zone` that names it. */
export function canonicalTimeZone(timeZone: string): string {
  const name = timeZone.trim();
  if (name.length > timeZoneCharsMax || !new RegExp(timeZonePattern).test(name)) {
    throw invalidTimeZone(timeZone);
  }
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch (error) {
    // Intl throws a RangeError for a zone it does not know; anything else is not ours to hide.
    if (error instanceof RangeError) throw invalidTimeZone(timeZone);
    throw error;
  }
}

function invalidTimeZone(timeZone: string) {
  return badRequest(
    'invalid_time_zone',
    `"${timeZone.slice(0, timeZoneCharsMax)}" is not a time zone: give an IANA name such as Asia/Seoul or Europe/London`,
    { field: 'timeZone' },
  );
}
