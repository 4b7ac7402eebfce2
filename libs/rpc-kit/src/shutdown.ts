/**
 * Runs `shutdown` once on the first SIGTERM or SIGINT and then exits with 0 (or 1 if it failed). A second
 * signal exits at once.
 */
export function onShutdownSignal(shutdown: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    shutdown(signal).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}

/**
 * Keeps a stray rejected promise or thrown callback from killing a process that serves many requests: it is
 * reported, and the process goes on. Handlers never get here (the servers catch what they throw); this is the
 * last net under code that forgot to.
 */
export function keepAliveOnStrayErrors(report: (kind: "unhandledRejection" | "uncaughtException", error: unknown) => void): void {
  process.on("unhandledRejection", (reason) => report("unhandledRejection", reason));
  process.on("uncaughtException", (error) => report("uncaughtException", error));
}
