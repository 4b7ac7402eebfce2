import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { INFER_PATH, startRawServer } from "../grpc/raw-grpc.js";

/** The line a baseline process prints on stdout once it serves, with its port: `{"msg":"ready","port":N}`. */
export const READY_MARK = '"msg":"ready"';

/** The arguments every baseline process takes. */
export interface BaselineArgs {
  /** `host:port` to listen on (port 0: any free one). */
  readonly listen: string;
  /** The pre-encoded answer. */
  readonly response: Buffer;
  /** Further `--name value` options of the particular baseline. */
  readonly extra: Readonly<Record<string, string | undefined>>;
}

/** Parses `--listen HOST:PORT --response-file FILE` plus the named extra string options. */
export function parseBaselineArgs(argv: readonly string[], extra: readonly string[] = []): BaselineArgs {
  const options: Record<string, { type: "string" }> = { listen: { type: "string" }, "response-file": { type: "string" } };
  for (const name of extra) options[name] = { type: "string" };
  const { values } = parseArgs({ args: [...argv], options });
  const read = (name: string): string | undefined => {
    const value = values[name];
    return typeof value === "string" ? value : undefined;
  };
  const file = read("response-file");
  if (file === undefined) throw new Error("--response-file is required");
  return {
    listen: read("listen") ?? "127.0.0.1:0",
    response: readFileSync(file),
    extra: Object.fromEntries(extra.map((name) => [name, read(name)])),
  };
}

/**
 * Serves `RouterService/Infer` with `handle` until SIGTERM/SIGINT, announcing readiness on stdout. The shared
 * body of the baseline processes.
 */
export async function serveBaseline(listen: string, handle: (request: Buffer) => Buffer | Promise<Buffer>, onStop?: () => void): Promise<void> {
  const server = await startRawServer({ address: listen, path: INFER_PATH, handle });
  const stop = (): void => {
    void server.stop(2000).then(() => {
      onStop?.();
      process.exit(0);
    });
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.stdout.write(`{"msg":"ready","port":${server.port}}\n`);
}
