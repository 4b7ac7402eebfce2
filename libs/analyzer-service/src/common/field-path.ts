const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Keys longer than this are shortened in paths, so that a huge key cannot make a huge error. */
const MAX_KEY_IN_PATH = 80;

/** A map key as it appears in a violation path: `["key"]`, JSON-quoted and shortened when very long. */
export function keySegment(key: string): string {
  const shown = key.length > MAX_KEY_IN_PATH ? `${key.slice(0, MAX_KEY_IN_PATH)}…` : key;
  return `[${JSON.stringify(shown)}]`;
}

/** The path of an object's field: `base.name` for identifier-like names, else `base["na me"]`. */
export function fieldPath(base: string, key: string): string {
  return key.length <= MAX_KEY_IN_PATH && IDENTIFIER.test(key) ? `${base}.${key}` : `${base}${keySegment(key)}`;
}
