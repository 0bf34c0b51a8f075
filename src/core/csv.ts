// The one CSV writer of the app and the CLI: RFC 4180 quoting by d3-dsv, and cells that a spreadsheet would run as a
// formula (OWASP's CSV injection rule) made inert.
import { csvFormatRows } from 'd3';

export type CsvCell = string | number | boolean | null | undefined;

// A cell that begins with one of these is a formula (or becomes one) in Excel, LibreOffice and Google Sheets.
const FORMULA_START = /^[=+\-@\t\r]/;
// A plain number ("-0.25", "+3", "1e-4") is not a formula, and stays a number for whoever reads the file.
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/** A cell as written: empty for null/undefined, and a leading `'` before text a spreadsheet would evaluate. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return FORMULA_START.test(text) && !NUMBER.test(text) ? `'${text}` : text;
}

/** CSV with a header row of `columns`, one line per row, values taken by column name. */
export function formatCsv(rows: ReadonlyArray<Readonly<Record<string, CsvCell>>>, columns: readonly string[]): string {
  return csvFormatRows([[...columns].map(csvCell), ...rows.map((row) => columns.map((c) => csvCell(row[c])))]);
}
