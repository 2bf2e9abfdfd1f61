/**
 * CSV as RFC 4180 has it, for the attendee export and the gate report's tables: cells quoted
 * when they must be, and cells a spreadsheet would run as a formula defused.
 */

/**
 * One CSV cell. A cell a spreadsheet would read as a formula (it starts with = + - @, or a tab
 * or carriage return that some programs skip first) gets a leading apostrophe, so a buyer's
 * first name such as `=HYPERLINK(...)` stays text. Cells with a comma, a quote or a line break
 * are quoted, quotes doubled.
 */
export function csvCell(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line of cells, CRLF-terminated. */
export const csvLine = (cells: readonly (string | number | null | undefined)[]) =>
  `${cells.map(csvCell).join(',')}\r\n`;
