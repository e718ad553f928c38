/** Quote per RFC 4180, and defuse cells a spreadsheet would run as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A whole CSV document: a header line, then one line per row, CRLF line ends as RFC 4180 says. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => cells.map(csvCell).join(',');
  return [line(header), ...rows.map(line)].join('\r\n') + '\r\n';
}

/**
 * The byte order mark a CSV file starts with: without it, Excel reads UTF-8 as the system's code
 * page ("Café" shows as "CafÃ©"); LibreOffice, Sheets and CSV parsers skip it.
 */
export const CSV_BOM = '\ufeff';

/** A CSV file's text: toCsv after the byte order mark (a stream's later parts are plain toCsv). */
export function csvFile(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return CSV_BOM + toCsv(header, rows);
}

/**
 * A time as ISO 8601, or an empty cell. Also empty for a time no Date can hold (beyond
 * ±8.64e15 ms, or NaN): toISOString would throw a RangeError and end the whole export,
 * and such a value can only be one stored before times were bounded on the way in.
 */
export function isoOrEmpty(time: number | null): string {
  if (time === null) return '';
  const date = new Date(time);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}
