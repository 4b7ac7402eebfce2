// Node module hooks that run this workspace's TypeScript sources directly, the way Jest maps them: for
// child processes of crash tests, which must run the real registry code without a build.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { transform } from "@swc/core";

const libs = new URL("../../../", import.meta.url);

export async function resolve(specifier, context, next) {
  const workspace = /^@modelrouter\/([a-z0-9-]+)(?:\/([a-z0-9-]+))?$/.exec(specifier);
  if (workspace !== null) {
    return { url: new URL(`${workspace[1]}/src/${workspace[2] ?? "index"}.ts`, libs).href, shortCircuit: true };
  }
  if (/^\.\.?\//.test(specifier) && specifier.endsWith(".js") && context.parentURL?.endsWith(".ts")) {
    const source = new URL(specifier.replace(/\.js$/, ".ts"), context.parentURL);
    if (existsSync(fileURLToPath(source))) return { url: source.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith(".ts")) return next(url, context);
  const filename = fileURLToPath(url);
  const { code } = await transform(await readFile(filename, "utf8"), {
    filename,
    jsc: { parser: { syntax: "typescript" }, target: "es2022", keepClassNames: true },
    module: { type: "es6" },
  });
  return { format: "module", source: code, shortCircuit: true };
}
