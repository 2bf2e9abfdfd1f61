/**
 * The apps' languages: a provider and a hook made from an app's own message tables. The language
 * follows the browser's (navigator.languages, by the app's rule) until someone picks one, which
 * this device remembers; `<html lang>` follows it. Each app keeps its own message tables in its
 * i18n module, the Korean one typed against the English one, so a missing translation fails the
 * typecheck. A number given to a message is grouped for the language ("40,000 left"), and the
 * value carries the app's formats (format.ts) in the language's locale.
 */
import {
  createContext,
  createElement,
  type ReactNode,
  useCallback,
  useContext,
  useMemo,
  useState,
} from 'react';
import { createFormats, type Formats } from './format.ts';

/** The values of a message's `{name}` placeholders. */
export type Params = Record<string, string | number>;

export interface I18nSetup<Lang extends string, Key extends string, Format extends string> {
  /** Every message in every language. */
  tables: Record<Lang, Record<Key, string>>;
  /** The language when neither the device nor the browser says one; keys are checked in it. */
  fallback: NoInfer<Lang>;
  /** BCP 47 tags for Intl, so dates and numbers follow the app's language. */
  locales: Record<NoInfer<Lang>, string>;
  /** Where this device remembers the choice (local storage). */
  storageKey: string;
  /** The browser's choice from its list of languages, or undefined for the fallback. */
  fromBrowser(languages: readonly string[]): NoInfer<Lang> | undefined;
  /**
   * Named date and time formats, kept for screens that call them by name; new code uses `fmt`
   * (format.ts). Given a time zone, a format shows the time there, labelled with the zone when
   * it is not the phone's.
   */
  formats: Record<Format, Intl.DateTimeFormatOptions>;
}

/** What `useI18n()` gives a screen: the language, its words, its formats. */
export type I18n<Lang extends string, Key extends string, Format extends string> = {
  lang: Lang;
  locale: string;
  setLang(lang: Lang): void;
  t(key: Key, params?: Params): string;
  /** Numbers, amounts, rates, dates and times in the language's locale (format.ts). */
  fmt: Formats;
} & { readonly [name in Format]: (iso: string, timeZone?: string) => string };

/**
 * Fills `{name}` placeholders; one with no value stays visible, so a gap shows. Numbers are
 * grouped for the locale when one is given ("40,000", not "40000").
 */
export function fillPlaceholders(text: string, params?: Params, locale?: string): string {
  if (!params) return text;
  const number = locale ? new Intl.NumberFormat(locale, { maximumFractionDigits: 20 }) : undefined;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === 'number' && number ? number.format(value) : String(value);
  });
}

/** A named format as a function of an instant and, for a venue's times, its zone. */
function namedFormat(locale: string, options: Intl.DateTimeFormatOptions, phoneZone: string) {
  const formats = new Map<string, Intl.DateTimeFormat>();
  return (iso: string, timeZone?: string) => {
    const zone = timeZone ?? phoneZone;
    let format = formats.get(zone);
    if (!format) {
      const labelled = zone !== phoneZone && (options.timeStyle || options.hour);
      try {
        format = new Intl.DateTimeFormat(locale, {
          ...options,
          timeZone: zone,
          // timeStyle cannot be combined with timeZoneName: the long style carries the zone.
          ...(labelled
            ? options.timeStyle
              ? { timeStyle: 'long' }
              : { timeZoneName: 'short' }
            : {}),
        });
      } catch {
        format = new Intl.DateTimeFormat(locale, options);
      }
      formats.set(zone, format);
    }
    return format.format(new Date(iso));
  };
}

/** The first of the browser's languages that the app speaks. */
export function firstSpoken<Lang extends string>(spoken: readonly Lang[]) {
  return (languages: readonly string[]): Lang | undefined => {
    for (const language of languages) {
      const base = language.toLowerCase().split('-')[0] as Lang;
      if (spoken.includes(base)) return base;
    }
    return undefined;
  };
}

export function createI18n<Lang extends string, Key extends string, Format extends string>(
  setup: I18nSetup<Lang, Key, Format>,
) {
  type Value = I18n<Lang, Key, Format>;
  const keys = setup.tables[setup.fallback];

  function translate(lang: Lang, key: Key, params?: Params): string {
    return fillPlaceholders(setup.tables[lang][key], params, setup.locales[lang]);
  }

  /** Whether a string names a message; screens use it to look up server error codes. */
  function isMessageKey(key: string): key is Key {
    return key in keys;
  }

  /** The remembered choice, else the browser's, else the fallback. */
  function initialLang(): Lang {
    try {
      const saved = localStorage.getItem(setup.storageKey);
      if (saved !== null && saved in setup.tables) return saved as Lang;
    } catch {
      // Storage may be off; the browser's language then decides.
    }
    return setup.fromBrowser(navigator.languages ?? [navigator.language]) ?? setup.fallback;
  }

  const Context = createContext<Value | undefined>(undefined);

  function I18nProvider({ children }: { children: ReactNode }) {
    const [lang, setLangState] = useState<Lang>(() => {
      const initial = initialLang();
      document.documentElement.lang = initial;
      return initial;
    });
    const setLang = useCallback((next: Lang) => {
      try {
        localStorage.setItem(setup.storageKey, next);
      } catch {
        // Not remembered, but switched for this visit all the same.
      }
      document.documentElement.lang = next;
      setLangState(next);
    }, []);
    const value = useMemo(() => {
      const locale = setup.locales[lang];
      const fmt = createFormats(locale);
      const formats = Object.entries<Intl.DateTimeFormatOptions>(setup.formats).map(
        ([name, options]) => [name, namedFormat(locale, options, fmt.deviceTimeZone)] as const,
      );
      return {
        lang,
        locale,
        setLang,
        t: (key: Key, params?: Params) => translate(lang, key, params),
        fmt,
        ...Object.fromEntries(formats),
      } as Value;
    }, [lang, setLang]);
    return createElement(Context.Provider, { value }, children);
  }

  function useI18n(): Value {
    const value = useContext(Context);
    if (!value) throw new Error('useI18n outside I18nProvider');
    return value;
  }

  return { translate, isMessageKey, initialLang, I18nProvider, useI18n };
}
