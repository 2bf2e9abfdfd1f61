/**
 * Korean and English for the buyer's app (the tables: i18n/en.ts and i18n/ko.ts). The language
 * follows the browser's (the first of navigator.languages the app speaks) until the buyer picks
 * one, which is remembered on this device (@tessera/web-kit/i18n).
 */
import { createI18n, firstSpoken } from '@tessera/web-kit/i18n';
import { en, type MessageKey } from './i18n/en.ts';
import { ko } from './i18n/ko.ts';

export type { Params } from '@tessera/web-kit/i18n';
export type { MessageKey };

export type Lang = 'en' | 'ko';

export const { translate, isMessageKey, I18nProvider, useI18n } = createI18n({
  tables: { en, ko } satisfies Record<Lang, Record<MessageKey, string>>,
  fallback: 'en',
  locales: { en: 'en-US', ko: 'ko-KR' },
  storageKey: 'tessera.lang',
  fromBrowser: firstSpoken<Lang>(['ko', 'en']),
  formats: {
    formatDateTime: { dateStyle: 'medium', timeStyle: 'short' },
    formatTime: { timeStyle: 'medium' },
  },
});
