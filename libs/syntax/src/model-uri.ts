import { quoted } from "./text.js";

/** The longest model file location (`backend.onnx.uri`), in characters. */
export const MAX_MODEL_URI_LENGTH = 2048;

const FIX =
  "give the path of the .onnx file relative to the executor's model root (MODELROUTER_MODEL_ROOT), where model " +
  'files are resolved, for example "digits-general/model.onnx"';

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// C0 controls (NUL included), DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * What is wrong with the location of a model file as it is registered (`backend.onnx.uri`), or undefined
 * when it is valid. A valid location is a relative path, resolved by the executor under its model root
 * (`MODELROUTER_MODEL_ROOT`): not empty, at most {@link MAX_MODEL_URI_LENGTH} characters, folders separated
 * by '/', with no scheme (`file:`, `https:`, …), no leading '/', no `..` segment, no backslash, no control
 * character (NUL included), no white space at either end, and naming a file rather than a folder. The
 * message says how to fix it.
 */
export function modelUriProblem(uri: string): string | undefined {
  if (uri.trim() === "") return `is required: ${FIX}`;
  if (uri.length > MAX_MODEL_URI_LENGTH) {
    return `is ${uri.length} characters long: keep it to at most ${MAX_MODEL_URI_LENGTH}, and ${FIX}`;
  }
  if (uri.includes("\0")) return `${quoted(uri)} contains a NUL character: ${FIX}`;
  if (CONTROL.test(uri)) return `${quoted(uri)} contains a control character: ${FIX}`;
  if (uri.trim() !== uri) return `${quoted(uri)} starts or ends with white space: remove it, and ${FIX}`;
  if (uri.includes("\\")) return `${quoted(uri)} contains a backslash: separate folders with '/', and ${FIX}`;
  const scheme = SCHEME.exec(uri)?.[1];
  if (scheme !== undefined) {
    if (scheme.toLowerCase() === "file") return `${quoted(uri)} is a file: URL, not a relative path: ${FIX}`;
    return `${quoted(uri)} has the "${scheme}:" scheme, but the executor reads local files only: ${FIX}`;
  }
  if (uri.startsWith("/")) return `${quoted(uri)} is an absolute path, not a relative one: ${FIX}`;
  const segments = uri.split("/");
  if (segments.includes("..")) return `${quoted(uri)} has a ".." segment, which could leave the model root: ${FIX}`;
  const last = segments[segments.length - 1];
  if (last === "" || last === ".") return `${quoted(uri)} names a folder, not a file: ${FIX}`;
  return undefined;
}
