/** Shortens a value for an error message, so that a huge value does not make a huge error. */
export function clip(text: string, max = 64): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A value quoted for an error message (JSON string syntax, clipped). */
export function quoted(text: string, max = 64): string {
  return JSON.stringify(clip(text, max));
}
