import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ProcessGroup, RunningProcess } from "@modelrouter/testing";

/** The telemetry project's directory (the fixture runs there, so that `./dist/sdk.js` and packages resolve). */
export const projectDir = fileURLToPath(new URL("..", import.meta.url));

/** The line the fixture writes once its spans are made, followed by `enabled=<true|false>`. */
export const READY = "sdk-fixture ready";

/** The `service.name` and `service.version` the fixture passes to `startTelemetry`. */
export const FIXTURE_SERVICE = { name: "fixture-service", version: "1.2.3" };

/**
 * A service in miniature, as ES module source run with `node --input-type=module --eval` in the project
 * directory: it starts telemetry from the BUILT `dist/sdk.js` the way `main.ts` will, makes a SERVER span with
 * an INTERNAL child and a CLIENT grandchild (parents passed explicitly, as the RPC kit does), writes {@link READY}, and on SIGTERM awaits
 * `shutdown(FIXTURE_SHUTDOWN_MS)` and exits 0. It writes nothing else.
 */
const script = `
import { ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { startTelemetry } from "./dist/sdk.js";

const telemetry = startTelemetry({ serviceName: ${JSON.stringify(FIXTURE_SERVICE.name)}, serviceVersion: ${JSON.stringify(FIXTURE_SERVICE.version)} });
const tracer = trace.getTracer("sdk-fixture");
const request = tracer.startSpan("fixture.request", { kind: SpanKind.SERVER });
const inRequest = trace.setSpan(ROOT_CONTEXT, request);
const step = tracer.startSpan("fixture.step", {}, inRequest);
tracer.startSpan("fixture.call", { kind: SpanKind.CLIENT }, trace.setSpan(inRequest, step)).end();
step.end();
request.end();
process.on("SIGTERM", () => {
  telemetry.shutdown(Number(process.env.FIXTURE_SHUTDOWN_MS ?? "5000")).then(() => process.exit(0));
});
setInterval(() => {}, 60_000);
process.stdout.write(${JSON.stringify(READY)} + " enabled=" + telemetry.enabled + "\\n");
`;

/** Fails with a clear message when `dist/sdk.js` is missing or older than `src/sdk.ts`. */
export function assertSdkBuilt(): void {
  const built = `${projectDir}dist/sdk.js`;
  const source = `${projectDir}src/sdk.ts`;
  if (!existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs) {
    throw new Error(`${built} is missing or older than ${source}: build first (npx tsc -b tsconfig.lib.json in ${projectDir})`);
  }
}

/**
 * Starts the fixture with `env` over an environment cleared of `OTEL_*` variables and `NODE_OPTIONS` (Jest's),
 * so that neither the developer's settings nor the test runner's flags change what it does.
 */
export function startSdkFixture(group: ProcessGroup, env: Readonly<Record<string, string>>): Promise<RunningProcess> {
  const cleared = Object.fromEntries(
    Object.keys(process.env)
      .filter((key) => key.startsWith("OTEL_") || key === "NODE_OPTIONS")
      .map((key) => [key, undefined]),
  );
  return group.start({
    name: "sdk-fixture",
    command: process.execPath,
    args: ["--input-type=module", "--eval", script],
    cwd: projectDir,
    env: { ...cleared, ...env },
    readyWhen: (line) => line.startsWith(READY),
    timeoutMs: 30_000,
  });
}
