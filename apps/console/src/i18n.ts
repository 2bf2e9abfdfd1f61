/**
 * Korean and English for the console: each feature keeps its words beside its screens
 * (`<feature>/words.ts`, keys prefixed with the feature), merged here into one table per
 * language. The Korean tables are typed against the English ones, so a missing translation fails
 * the typecheck. The language follows the browser's until someone picks one
 * (@tessera/web-kit/i18n).
 */
import { createI18n, firstSpoken } from '@tessera/web-kit/i18n';
import * as checkin from './checkin/words.ts';
import * as closing from './closing/words.ts';
import * as doorSales from './door-sales/words.ts';
import * as events from './events/words.ts';
import * as gates from './gates/words.ts';
import * as organizations from './organizations/words.ts';
import * as sales from './sales/words.ts';
import * as shell from './shell/words.ts';
import * as venues from './venues/words.ts';

export type { Params } from '@tessera/web-kit/i18n';

const en = {
  ...shell.en,
  ...organizations.en,
  ...venues.en,
  ...events.en,
  ...sales.en,
  ...gates.en,
  ...checkin.en,
  ...closing.en,
  ...doorSales.en,
};
export type MessageKey = keyof typeof en;
const ko: Record<MessageKey, string> = {
  ...shell.ko,
  ...organizations.ko,
  ...venues.ko,
  ...events.ko,
  ...sales.ko,
  ...gates.ko,
  ...checkin.ko,
  ...closing.ko,
  ...doorSales.ko,
};

export type Lang = 'en' | 'ko';

export const { translate, isMessageKey, I18nProvider, useI18n } = createI18n({
  tables: { en, ko } satisfies Record<Lang, Record<MessageKey, string>>,
  fallback: 'en',
  locales: { en: 'en-US', ko: 'ko-KR' },
  storageKey: 'tessera.console.lang',
  fromBrowser: firstSpoken<Lang>(['ko', 'en']),
  formats: {
    formatDateTime: { dateStyle: 'medium', timeStyle: 'short' },
  },
});
