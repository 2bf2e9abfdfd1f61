/** The sales screens' words, English and Korean (the Korean table is checked against the English). */

export const en = {
  'sales.title': 'Sales',
} as const;

export const ko: Record<keyof typeof en, string> = {
  'sales.title': '판매',
};
