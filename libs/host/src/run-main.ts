import { ConfigError } from "@modelrouter/config";

/** The version every modelrouter process reports (`service.version`). */
export const MODELROUTER_VERSION = "0.1.0";

/**
 * Runs a process's `main`: a configuration problem prints every bad setting and exits with 2; any other
 * startup failure prints the error and exits with 1.
 */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
