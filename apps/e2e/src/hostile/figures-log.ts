/** Writes a measured figure to the test log (the "before"/"after" numbers of issue 7's closing note). */
export function logFigure(scenario: string, figures: Readonly<Record<string, unknown>>): void {
  process.stdout.write(`[hostile] ${scenario}: ${JSON.stringify(figures)}\n`);
}
