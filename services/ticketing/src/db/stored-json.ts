/**
 * JSON kept in text columns, checked as it is read: a read is a boundary, so a row that does not
 * hold what its column promises fails loudly here rather than somewhere downstream.
 */

/** A column holding a JSON list of ids (`terminals.performance_ids`, ...). */
export function storedIdList(text: string, column: string): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
    throw new Error(`${column} does not hold a list of ids`);
  }
  return value;
}
