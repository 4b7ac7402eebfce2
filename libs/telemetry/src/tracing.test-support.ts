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
 * Registers a `NodeTracerProvider` exporting synchronously to an {@link InMemorySpanExporter}, without a
 * context manager, as `startTelemetry` does: trace context travels only explicitly, with the call contexts
 * (`asyncLocalStorage: true` registers the SDK's default AsyncLocalStorage manager, for what reads the
 * active span). Call `stop()` in `afterAll`.
 */
export function startTestTracing(options: { readonly asyncLocalStorage?: boolean } = {}): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register(options.asyncLocalStorage === true ? {} : { contextManager: null });
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
