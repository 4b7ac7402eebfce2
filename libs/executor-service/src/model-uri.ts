import { isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The outcome of resolving a model `uri`: the absolute path, or what is wrong with the uri. */
export type ResolvedModelUri =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly problem: string };

const schemePattern = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * Resolves a model file's `uri` to an absolute path. A relative uri is taken under `modelRoot` and must stay
 * inside it (no `..` escape); an absolute path and a `file://` URL are taken as they are (the registry is
 * the trusted place that decides them). Other schemes are refused: the executor reads local files only.
 * Symbolic links are not followed here.
 */
export function resolveModelUri(uri: string, modelRoot: string): ResolvedModelUri {
  const scheme = schemePattern.exec(uri)?.[1]?.toLowerCase();
  if (scheme !== undefined && !(scheme.length === 1 && sep === "\\")) {
    if (scheme !== "file") {
      return {
        ok: false,
        problem: `the "${scheme}:" scheme is not supported: give a path relative to the executor's model root, an absolute path or a file:// URL`,
      };
    }
    try {
      return { ok: true, path: fileURLToPath(uri) };
    } catch {
      return { ok: false, problem: "is not a valid file:// URL: use file:///absolute/path/model.onnx" };
    }
  }
  if (isAbsolute(uri)) return { ok: true, path: resolve(uri) };
  const root = resolve(modelRoot);
  const path = resolve(root, uri);
  const inside = relative(root, path);
  if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return { ok: false, problem: "resolves outside the executor's model root: give a path to a file inside it" };
  }
  return { ok: true, path };
}
