/** A cost in units for a message, with thousands separators: 463105 → "463,105". */
export function formatCost(units: number): string {
  return Math.ceil(units).toLocaleString("en-US");
}
