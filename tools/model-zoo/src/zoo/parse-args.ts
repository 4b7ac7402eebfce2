import { ZOO_PARTS, type ZooPart } from "./build.js";

/** The command line of the builder: `[outDir] [--only part,part…]`. */
export interface BuilderArgs {
  readonly outDir?: string;
  readonly parts: readonly ZooPart[];
}

/**
 * Parses the builder's arguments. `--only text,tabular` (or `--only=text,tabular`) rebuilds those parts only;
 * the parts are `digits`, `text`, `tabular`, `sensor` and `audio`. Throws naming the problem and the choices.
 */
export function parseBuilderArgs(argv: readonly string[]): BuilderArgs {
  let outDir: string | undefined;
  let parts: readonly ZooPart[] = ZOO_PARTS;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--only" || arg.startsWith("--only=")) {
      const value = arg === "--only" ? argv[++i] : arg.slice("--only=".length);
      if (value === undefined || value === "") throw new Error(`--only needs a comma-separated list of parts: ${ZOO_PARTS.join(", ")}`);
      const names = value.split(",").map((p) => p.trim());
      const unknown = names.filter((p) => !(ZOO_PARTS as readonly string[]).includes(p));
      if (unknown.length > 0) throw new Error(`--only: unknown part ${unknown.map((u) => JSON.stringify(u)).join(", ")}; choose from ${ZOO_PARTS.join(", ")}`);
      parts = ZOO_PARTS.filter((p) => names.includes(p));
    } else if (arg.startsWith("-")) {
      throw new Error(`unknown option ${arg}; usage: main.js [outDir] [--only ${ZOO_PARTS.join(",")}]`);
    } else if (outDir === undefined) {
      outDir = arg;
    } else {
      throw new Error(`one output folder only, got ${JSON.stringify(outDir)} and ${JSON.stringify(arg)}`);
    }
  }
  return { ...(outDir === undefined ? {} : { outDir }), parts };
}
