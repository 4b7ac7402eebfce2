// `node --import ./register-ts-loader.mjs file.ts` runs a TypeScript entry point of this workspace.
import { register } from "node:module";

register("./ts-loader.mjs", import.meta.url);
