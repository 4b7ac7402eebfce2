import type { Connection } from "./connection.js";
import type { Io } from "./io.js";

/** One sub-command: parses its own arguments and returns the exit code. */
export interface Command {
  readonly usage: string;
  run(args: readonly string[], connection: Connection, io: Io): Promise<number>;
}
