/** The events screens' words, English and Korean (the Korean table is checked against the English). */

export const en = {
  'events.title': 'Events',
} as const;

export const ko: Record<keyof typeof en, string> = {
  'events.title': '행사',
};
