/** The venues screens' words, English and Korean (the Korean table is checked against the English). */

export const en = {
  'venues.title': 'Venues',
} as const;

export const ko: Record<keyof typeof en, string> = {
  'venues.title': '공연장',
};
