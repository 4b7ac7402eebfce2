import { isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The outcome of resolving a model's `backend.onnx.uri`: the absolute path (inside the model root, before
 * symbolic links are followed), or what is wrong with the uri, phrased to follow "its backend.onnx.uri …".
 */
export type ResolvedModelUri =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly problem: string };

const schemePattern = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

const fix = 'register the path of the .onnx file relative to the executor\'s model root (MODELROUTER_MODEL_ROOT), for example "digits-general/model.onnx"';

/** What is wrong with a uri that leaves the model root: the same words whatever is (or is not) there. */
export const OUTSIDE_MODEL_ROOT = `is outside the executor's model root: ${fix}`;

/**
 * Resolves a model's `uri` to an absolute path under `modelRoot`, without touching the disk. A relative path
 * is taken under the root; an absolute path or a `file:` URL must name a path under the root. Anything that
 * leaves the root (`..`, another absolute path) is refused with {@link OUTSIDE_MODEL_ROOT}, and schemes other
 * than `file:` are refused: the executor reads local files only. Symbolic links are checked when the file is
 * read (see `readModelFile`).
 */
export function resolveModelUri(uri: string, modelRoot: string): ResolvedModelUri {
  if (uri === "") return { ok: false, problem: `is empty: ${fix}` };
  if (uri.includes("\0")) return { ok: false, problem: `contains a NUL character: ${fix}` };
  const root = resolve(modelRoot);
  const scheme = schemePattern.exec(uri)?.[1]?.toLowerCase();
  let path: string;
  if (scheme !== undefined && !(scheme.length === 1 && sep === "\\")) {
    if (scheme !== "file") return { ok: false, problem: `has the "${scheme}:" scheme, but the executor reads local files only: ${fix}` };
    try {
      path = resolve(fileURLToPath(uri));
    } catch {
      return { ok: false, problem: `is not a valid file: URL: ${fix}` };
    }
  } else {
    path = resolve(root, uri);
  }
  if (path === root) return { ok: false, problem: `names the model root itself, not a file: ${fix}` };
  return isInside(root, path) ? { ok: true, path } : { ok: false, problem: OUTSIDE_MODEL_ROOT };
}

/** True when `path` is strictly below `root` (both absolute and normalised). */
export function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside !== "" && inside !== ".." && !inside.startsWith(`..${sep}`) && !isAbsolute(inside);
}
