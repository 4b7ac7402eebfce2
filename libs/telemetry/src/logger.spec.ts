import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { context, INVALID_SPAN_CONTEXT, trace } from "@opentelemetry/api";
import { startProcess } from "@modelrouter/testing";
import { createLogger, type LoggerOptions } from "./logger.js";
import { startTestTracing, type TestTracing } from "./tracing.test-support.js";

const projectDir = fileURLToPath(new URL("..", import.meta.url));

/** A logger writing into an array, and the parsed lines. */
function capture(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ service: "router", write: (line) => lines.push(line), ...options });
  const parsed = (): Record<string, unknown>[] => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe("createLogger", () => {
  it("writes one JSON object per line with an ISO time, the level, the service and the message", () => {
    const { logger, lines, parsed } = capture();

    logger.info("listening", { port: 50051 });

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    const [line] = parsed();
    expect(line).toEqual({ time: expect.any(String), level: "info", service: "router", msg: "listening", port: 50051 });
    expect(new Date(line!["time"] as string).toISOString()).toBe(line!["time"]);
  });

  describe("levels", () => {
    it("drops debug lines by default and keeps info, warn and error", () => {
      const { logger, parsed } = capture();

      logger.debug("d");
      logger.info("i");
      logger.warn("w");
      logger.error("e");

      expect(parsed().map((line) => line["level"])).toEqual(["info", "warn", "error"]);
    });

    it("drops every line below the configured level", () => {
      const { logger, parsed } = capture({ level: "warn" });

      logger.debug("d");
      logger.info("i");
      logger.warn("w");
      logger.error("e");

      expect(parsed().map((line) => line["msg"])).toEqual(["w", "e"]);
    });

    it("keeps everything at debug", () => {
      const { logger, parsed } = capture({ level: "debug" });

      logger.debug("d");
      logger.error("e");

      expect(parsed().map((line) => line["level"])).toEqual(["debug", "error"]);
    });
  });

  describe("child", () => {
    it("adds its fields to every line, and a child of a child adds more", () => {
      const { logger, parsed } = capture();
      const request = logger.child({ request_id: "r-1" });
      const attempt = request.child({ attempt: 2 });

      request.info("received");
      attempt.warn("retrying", { model: "digits" });

      expect(parsed()).toEqual([
        expect.objectContaining({ msg: "received", request_id: "r-1" }),
        expect.objectContaining({ msg: "retrying", request_id: "r-1", attempt: 2, model: "digits" }),
      ]);
    });

    it("lets the fields of a call override the bound fields, and leaves the parent unchanged", () => {
      const { logger, parsed } = capture();
      const child = logger.child({ model: "bound" });

      child.info("override", { model: "call" });
      logger.info("parent");

      expect(parsed()[0]).toMatchObject({ model: "call" });
      expect(parsed()[1]).not.toHaveProperty("model");
    });

    it("keeps the level of its parent", () => {
      const { logger, parsed } = capture({ level: "error" });

      logger.child({ a: 1 }).warn("dropped");

      expect(parsed()).toEqual([]);
    });
  });

  describe("values", () => {
    it("writes an Error with its name, message, stack and cause chain", () => {
      const { logger, parsed } = capture();
      class UpstreamError extends Error {
        override name = "UpstreamError";
      }
      const error = new Error("execute failed", { cause: new UpstreamError("connection refused") });

      logger.error("request failed", { err: error });

      expect(parsed()[0]!["err"]).toEqual({
        name: "Error",
        message: "execute failed",
        stack: expect.stringContaining("execute failed"),
        cause: { name: "UpstreamError", message: "connection refused", stack: expect.stringContaining("connection refused") },
      });
    });

    it("writes a cause that is not an Error as it is", () => {
      const { logger, parsed } = capture();

      logger.error("failed", { err: new Error("outer", { cause: { code: 14 } }) });

      expect(parsed()[0]!["err"]).toMatchObject({ message: "outer", cause: { code: 14 } });
    });

    it("follows causes three levels deep at most, so a cyclic cause cannot loop", () => {
      const { logger, parsed } = capture();
      const cyclic = new Error("cyclic");
      cyclic.cause = cyclic;

      logger.error("failed", { err: cyclic });

      const err = parsed()[0]!["err"] as { cause: { cause: { cause: Record<string, unknown> } } };
      expect(err.cause.cause.cause).toMatchObject({ message: "cyclic" });
      expect(err.cause.cause.cause).not.toHaveProperty("cause");
    });

    it("writes a bigint as a decimal string, since JSON has no bigint", () => {
      const { logger, parsed } = capture();

      logger.info("stats", { samples: 12_345_678_901_234_567_890n });

      expect(parsed()[0]!["samples"]).toBe("12345678901234567890");
    });

    it("writes bigints and Errors nested inside objects and arrays too", () => {
      const { logger, parsed } = capture();

      logger.warn("nested", { request: { revision: 7n, failures: [new Error("inner")] } });

      const request = parsed()[0]!["request"] as { revision: string; failures: { name: string; message: string }[] };
      expect(request.revision).toBe("7");
      expect(request.failures[0]).toMatchObject({ name: "Error", message: "inner" });
    });

    it("writes bigint and Error values of bound fields the same way", () => {
      const { logger, parsed } = capture();

      logger.child({ generation: 7n, last_error: new Error("stale") }).info("snapshot");

      expect(parsed()[0]).toMatchObject({ generation: "7", last_error: { name: "Error", message: "stale" } });
    });
  });

  describe("trace correlation", () => {
    let tracing: TestTracing;

    beforeAll(() => {
      tracing = startTestTracing({ asyncLocalStorage: true });
    });

    afterAll(async () => {
      await tracing.stop();
    });

    it("adds trace_id and span_id of the active span, the ids its exported span has", async () => {
      const { logger, parsed } = capture();
      const tracer = trace.getTracer("logger-spec");

      await tracer.startActiveSpan("handle", async (span) => {
        await Promise.resolve();
        logger.info("inside");
        span.end();
      });

      const [exported] = tracing.exporter.getFinishedSpans();
      expect(parsed()[0]).toMatchObject({
        trace_id: exported!.spanContext().traceId,
        span_id: exported!.spanContext().spanId,
      });
      expect(parsed()[0]!["trace_id"]).toMatch(/^[0-9a-f]{32}$/);
    });

    it("keeps the trace_id and span_id given as fields (a handler's, when no context manager is registered)", () => {
      const { logger, parsed } = capture();

      logger.warn("explicit", { trace_id: "0af7651916cd43dd8448eb211c80319c", span_id: "b7ad6b7169203331" });

      expect(parsed()[0]).toMatchObject({ trace_id: "0af7651916cd43dd8448eb211c80319c", span_id: "b7ad6b7169203331" });
    });

    it("leaves them out when no span is active", () => {
      const { logger, parsed } = capture();

      logger.info("outside");

      expect(Object.keys(parsed()[0]!)).toEqual(["time", "level", "service", "msg"]);
    });

    it("leaves them out when the active span context is invalid", () => {
      const { logger, parsed } = capture();

      context.with(trace.setSpanContext(context.active(), INVALID_SPAN_CONTEXT), () => logger.info("invalid"));

      expect(parsed()[0]).not.toHaveProperty("trace_id");
    });
  });

  it("writes to standard output by default", async () => {
    const entry = `${projectDir}dist/index.js`;
    if (!existsSync(entry)) throw new Error(`${entry} is missing: build first (npx tsc -b tsconfig.lib.json)`);
    const child = await startProcess({
      name: "logger-default-output",
      command: process.execPath,
      args: [
        "--input-type=module",
        "--eval",
        `import { createLogger } from "./dist/index.js"; createLogger({ service: "cli" }).info("to stdout");`,
      ],
      cwd: projectDir,
      env: { NODE_OPTIONS: undefined },
    });

    await expect(child.exited).resolves.toEqual({ code: 0, signal: null });
    expect(child.output.map((line) => JSON.parse(line) as unknown)).toEqual([
      expect.objectContaining({ level: "info", service: "cli", msg: "to stdout" }),
    ]);
  }, 30_000);
});
