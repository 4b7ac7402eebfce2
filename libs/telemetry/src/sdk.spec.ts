import { createServer, type Server, type Socket } from "node:net";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "@jest/globals";
import {
  createProcessGroup,
  formatSpans,
  freePort,
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from "@modelrouter/testing";
import { assertSdkBuilt, FIXTURE_SERVICE, READY, startSdkFixture } from "./sdk-fixture.test-support.js";

/** Child processes on a shared 2-core machine: generous, and only ever a deadline, never a measurement. */
const TEST_TIMEOUT_MS = 60_000;
/** Longer than any test: spans stay buffered until shutdown() exports them. */
const NEVER_MS = "600000";

const byName = (spans: readonly ReceivedSpan[], name: string): ReceivedSpan => {
  const span = spans.find((s) => s.name === name);
  if (span === undefined) throw new Error(`no span named ${name} among:\n${formatSpans(spans)}`);
  return span;
};

const fixtureSpans = ["fixture.request", "fixture.step", "fixture.call"];

/** A TCP server that accepts connections and reads requests but never answers: a collector that hangs. */
async function startBlackHole(): Promise<{ url: string; firstBytes: Promise<void>; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let gotBytes: () => void = () => undefined;
  const firstBytes = new Promise<void>((resolve) => {
    gotBytes = resolve;
  });
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", () => gotBytes());
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    firstBytes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Resolves "arrived" when `promise` resolves, or "timed out" after `ms`. */
async function deadline(promise: Promise<void>, ms: number): Promise<"arrived" | "timed out"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timed out">((resolve) => {
    timer = setTimeout(() => resolve("timed out"), ms);
  });
  const result = await Promise.race([promise.then(() => "arrived" as const), timeout]);
  clearTimeout(timer);
  return result;
}

describe("startTelemetry in a service process", () => {
  const processes = createProcessGroup();
  let receiver: OtlpReceiver;

  beforeAll(() => {
    assertSdkBuilt();
  });

  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });

  afterEach(async () => {
    await processes.stopAll("SIGKILL");
    await receiver.close();
  });

  it.each(["none", "gzip"])(
    "exports its spans over OTLP with service.name, service.version and parent links (compression %s)",
    async (compression) => {
      const fixture = await startSdkFixture(processes, {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_COMPRESSION: compression,
        OTEL_BSP_SCHEDULE_DELAY: "100",
      });

      const spans = await receiver.waitFor((received) => fixtureSpans.every((name) => received.some((s) => s.name === name)));

      const request = byName(spans, "fixture.request");
      const step = byName(spans, "fixture.step");
      const call = byName(spans, "fixture.call");
      expect(spans).toHaveLength(3);
      expect(request.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spans.map((s) => s.traceId)).toEqual([request.traceId, request.traceId, request.traceId]);
      expect([request.parentSpanId, step.parentSpanId, call.parentSpanId]).toEqual(["", request.spanId, step.spanId]);
      expect([request.kind, step.kind, call.kind]).toEqual(["SERVER", "INTERNAL", "CLIENT"]);
      for (const span of spans) {
        expect(span.serviceName).toBe(FIXTURE_SERVICE.name);
        expect(span.resource["service.version"]).toBe(FIXTURE_SERVICE.version);
      }
      expect(await fixture.stop()).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "takes service.name from OTEL_SERVICE_NAME when it is set",
    async () => {
      await startSdkFixture(processes, {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: "100",
        OTEL_SERVICE_NAME: "renamed-by-ops",
      });

      const spans = await receiver.waitFor((received) => received.length === 3);

      expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(["renamed-by-ops"]));
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "flushes the last batch on SIGTERM: shutdown() exports what is still buffered before the process exits",
    async () => {
      const fixture = await startSdkFixture(processes, {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: NEVER_MS,
      });
      expect(receiver.requestCount).toBe(0);

      expect(await fixture.stop("SIGTERM", 30_000)).toBe(0);

      expect(receiver.spans.map((s) => s.name).sort()).toEqual([...fixtureSpans].sort());
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "sends nothing when OTEL_SDK_DISABLED=true",
    async () => {
      const fixture = await startSdkFixture(processes, {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: "100",
        OTEL_SDK_DISABLED: "true",
      });

      expect(await fixture.stop("SIGTERM", 30_000)).toBe(0);

      expect(fixture.output).toEqual([`${READY} enabled=false`]);
      expect({ requests: receiver.requestCount, spans: receiver.spans }).toEqual({ requests: 0, spans: [] });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "sends no spans when the root sampler is OTEL_TRACES_SAMPLER=always_off",
    async () => {
      const fixture = await startSdkFixture(processes, {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
        OTEL_BSP_SCHEDULE_DELAY: "100",
        OTEL_TRACES_SAMPLER: "always_off",
      });

      expect(await fixture.stop("SIGTERM", 30_000)).toBe(0);

      expect(fixture.output).toEqual([`${READY} enabled=true`]);
      expect(receiver.spans).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "with nothing listening at the endpoint, writes no log noise and still exits 0 on SIGTERM",
    async () => {
      const closedPort = await freePort();
      const fixture = await startSdkFixture(processes, {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${closedPort}/v1/traces`,
        OTEL_BSP_SCHEDULE_DELAY: NEVER_MS,
        FIXTURE_SHUTDOWN_MS: "2000",
      });

      expect(await fixture.stop("SIGTERM", 30_000)).toBe(0);

      expect(fixture.output).toEqual([`${READY} enabled=true`]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "with a collector that never answers, gives up after the shutdown timeout and exits 0 without log noise",
    async () => {
      const blackHole = await startBlackHole();
      try {
        const fixture = await startSdkFixture(processes, {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: blackHole.url,
          OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: NEVER_MS,
          OTEL_BSP_EXPORT_TIMEOUT: NEVER_MS,
          OTEL_BSP_SCHEDULE_DELAY: NEVER_MS,
          FIXTURE_SHUTDOWN_MS: "500",
        });

        expect(await fixture.stop("SIGTERM", 30_000)).toBe(0);

        await expect(deadline(blackHole.firstBytes, 10_000)).resolves.toBe("arrived");
        expect(fixture.output).toEqual([`${READY} enabled=true`]);
      } finally {
        await blackHole.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
