/** Options of {@link onShutdownSignal}. */
export interface ShutdownSignalOptions {
  /** Called for a SIGTERM or SIGINT that arrives while the shutdown is under way (it changes nothing). */
  readonly onRepeat?: (signal: NodeJS.Signals) => void;
  /**
   * If the shutdown has not finished this long after the first signal, the process exits with 1 (something
   * hung). Default: never.
   */
  readonly forceAfterMs?: number;
}

/**
 * Runs `shutdown` once, on the first SIGTERM or SIGINT, then exits with 0 (or 1 if it failed). Idempotent:
 * more signals while it runs — a terminal's Ctrl-C reaches every process of the group, and a launcher or
 * Kubernetes may send SIGTERM as well — only call `onRepeat`; they never cut the drain short.
 */
export function onShutdownSignal(shutdown: (signal: NodeJS.Signals) => Promise<void>, options: ShutdownSignalOptions = {}): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.onRepeat?.(signal);
      return;
    }
    stopping = true;
    if (options.forceAfterMs !== undefined) setTimeout(() => process.exit(1), options.forceAfterMs).unref();
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
