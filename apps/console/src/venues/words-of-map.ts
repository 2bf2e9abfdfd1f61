/** Sentences about a seat map: counts with their nouns, what was saved, why it cannot be saved. */
import type { MessageKey, Params } from '../i18n.ts';
import type { MapProblem } from './seat-model.ts';

type Translate = (key: MessageKey, params?: Params) => string;
type Countable = 'seats' | 'sections' | 'areas';

/** "1 seat", "1,024 seats": English has a singular, Korean counts the same way for both. */
export function counted(t: Translate, what: Countable, count: number): string {
  return count === 1
    ? t(`venues.count.${what}.one` as const, { count })
    : t(`venues.count.${what}.other` as const, { count });
}

/** "Saved: 1,024 seats in 3 sections and 1 standing area." from the server's own counts. */
export function savedSummary(
  saved: { seats: number; sections: number; areas: number },
  t: Translate,
): string {
  return t('venues.map.saved', {
    seats: counted(t, 'seats', saved.seats),
    sections: counted(t, 'sections', saved.sections),
    areas: counted(t, 'areas', saved.areas),
  });
}

export function describeProblem(problem: MapProblem, t: Translate): string {
  switch (problem.kind) {
    case 'empty':
      return t('venues.problem.empty');
    case 'duplicateSeat':
      return t('venues.problem.duplicateSeat', {
        seat: `${problem.section} / ${problem.row} / ${problem.number}`,
      });
    case 'duplicateArea':
      return t('venues.problem.duplicateArea', { name: problem.name });
    case 'badName':
      return t('venues.problem.badName', { name: problem.name });
    case 'tooManySeats':
      return t('venues.problem.tooManySeats', { max: problem.max });
    case 'tooManyAreas':
      return t('venues.problem.tooManyAreas', { max: problem.max });
  }
}
