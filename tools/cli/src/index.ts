/**
 * The `modelrouter` command line, as a function for tests and scripts.
 *
 * @packageDocumentation
 */
export { main, usage } from "./main.js";
export type { Io } from "./io.js";
export { readManifests } from "./manifests.js";
