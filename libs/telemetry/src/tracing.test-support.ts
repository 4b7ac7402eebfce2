import { context, propagation, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

/** A real tracer provider, registered globally, that keeps finished spans in memory. */
export interface TestTracing {
  readonly exporter: InMemorySpanExporter;
  /** Shuts the provider down and unregisters the global tracer provider, context manager and propagator. */
  stop(): Promise<void>;
}

/**
 * Registers a `NodeTracerProvider` (with its AsyncLocalStorage context manager, so that active spans follow
 * async calls) exporting synchronously to an {@link InMemorySpanExporter}. Call `stop()` in `afterAll`.
 */
export function startTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  return {
    exporter,
    async stop() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
