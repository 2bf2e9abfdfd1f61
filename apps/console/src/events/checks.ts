/**
 * The event form's rules, mirroring the server's (services/ticketing/src/events/schemas.ts and
 * plan.ts) so a mistake is named next to its field before anything is sent. Each returns the
 * message or true, as react-hook-form's `validate` takes it.
 */
import type { MessageKey, Params } from '../i18n.ts';
import type { Assets } from './api.ts';
import { zonedToUtc } from './zone-time.ts';

type Translate = (key: MessageKey, params?: Params) => string;

const amountPattern = /^(\d+)(?:\.(\d+))?$/;

/** A whole number within the server's range. */
export function wholeNumber(t: Translate, min: number, max: number, optional = false) {
  return (value: string) => {
    if (value.trim() === '') return optional || t('events.check.required');
    const n = Number(value);
    return (Number.isInteger(n) && n >= min && n <= max) || t('events.check.whole', { min, max });
  };
}

/** A price or stored value: a decimal above 0 with no more decimals than the asset has. */
export function amount(t: Translate, assets: Assets, asset: string) {
  return (value: string) => {
    const match = amountPattern.exec(value.trim());
    if (!match || /^0*(\.0*)?$/.test(value.trim())) return t('events.check.amount');
    const scale = assets.assets.find((known) => known.code === asset)?.scale;
    if (scale !== undefined && (match[2]?.length ?? 0) > scale) {
      return t('events.check.decimals', { asset, scale });
    }
    return true;
  };
}

/** A wall-clock time that exists at the venue; empty passes unless required. */
export function venueTime(t: Translate, timeZone: string, required: boolean) {
  return (value: string) => {
    if (!value) return required ? t('events.check.required') : true;
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return t('events.check.time');
    return zonedToUtc(value, timeZone) !== undefined || t('events.check.skipped');
  };
}

/** Compares two wall-clock values of one zone: the same order as their instants. */
export const later = (a: string, b: string) => Boolean(a && b) && a > b;
