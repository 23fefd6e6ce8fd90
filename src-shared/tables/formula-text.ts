/**
 * Text that a spreadsheet could take for a formula (= + - @, or a tab or carriage return before
 * one) is written with a leading apostrophe, as OWASP advises for CSV injection: a student name
 * or a 备注 such as `=HYPERLINK(…)` stays text when somebody edits the cell, copies it, or saves
 * the sheet as CSV. The apostrophe shows, so the reader sees that the text was guarded.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const GUARD = "'";

export function guardFormulaText(text: string): string {
  return FORMULA_START.test(text) ? GUARD + text : text;
}

/** Every text value of a row guarded; numbers, dates and empty cells are left as they are. */
export function guardFormulaRow<T>(values: readonly T[]): (T | string)[] {
  return values.map((v) => (typeof v === 'string' ? guardFormulaText(v) : v));
}

/**
 * The text a guarded cell held before: a list this program wrote (the rows an import did not
 * take) can be corrected and imported again without the apostrophe entering a 备注.
 */
export function unguardFormulaText(text: string): string {
  return text.startsWith(GUARD) && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}
