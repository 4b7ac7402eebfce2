/**
 * Lays out a table for a terminal: a header row and one row per item, each column as wide as its widest cell,
 * columns two spaces apart, an empty cell shown as "-" (so that every row has every column), and no trailing
 * spaces.
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const cells = [header, ...rows].map((row) => header.map((_, i) => (row[i] === undefined || row[i] === "" ? "-" : row[i]!)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd(),
  );
}
