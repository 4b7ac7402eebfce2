import { parseArgs } from "node:util";

/** The `--listen HOST:PORT` of a baseline process that needs no other option (default `127.0.0.1:0`). */
export function listenArg(argv: readonly string[]): string {
  const { values } = parseArgs({ args: [...argv], options: { listen: { type: "string" } } });
  return values.listen ?? "127.0.0.1:0";
}
