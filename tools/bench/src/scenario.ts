import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { InferRequestSchema } from "@modelrouter/contracts";
import { loadDemoModels, loadDemoPolicies, loadSampleIndex } from "@modelrouter/model-zoo";
import { startModelrouter, startOtlpReceiver, type Topology } from "@modelrouter/testing";
import { summarize, type LatencySummary } from "./stats.js";

/** One configuration to measure. */
export interface Scenario {
  readonly topology: Topology;
  readonly tracing: boolean;
}

/** What one scenario measured. */
export interface ScenarioResult extends Scenario {
  /** One request in flight at a time. */
  readonly sequential: LatencySummary;
  /** `concurrency` requests in flight, closed loop. */
  readonly loaded: LatencySummary & { readonly concurrency: number; readonly requestsPerSecond: number };
  readonly errors: number;
}

/** How much to measure. */
export interface Budget {
  readonly warmupRequests: number;
  readonly sequentialRequests: number;
  readonly concurrency: number;
  readonly loadSeconds: number;
}

/**
 * Starts modelrouter in a topology (tracing off, or on at 100 % with export to a local OTLP receiver),
 * registers the zoo and the demo policy, then measures `Infer` of a low-resolution scan routed to the
 * specialist: sequential latency, then closed-loop latency and throughput. Every response is checked.
 */
export async function runScenario(scenario: Scenario, budget: Budget, log: (line: string) => void): Promise<ScenarioResult> {
  const receiver = scenario.tracing ? await startOtlpReceiver() : undefined;
  const env: Record<string, string> = scenario.tracing
    ? { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver!.url, OTEL_TRACES_SAMPLER: "always_on" }
    : { OTEL_SDK_DISABLED: "true" };
  const system = await startModelrouter(scenario.topology, { ...env, MODELROUTER_EXECUTOR_WORKERS: "2" });
  try {
    for (const model of loadDemoModels()) await system.registry.registerModel({ model });
    for (const policy of loadDemoPolicies()) await system.registry.applyPolicy({ policy });
    const sample = loadSampleIndex().find((s) => s.kind === "lowres")!;
    const request: MessageInitShape<typeof InferRequestSchema> = {
      payload: { kind: { case: "image", value: { data: readFileSync(sample.path), mimeType: "image/png" } } },
      metadata: { image_type: "lowres_scan" },
    };
    let errors = 0;
    const once = async (): Promise<number> => {
      const start = performance.now();
      try {
        const response = await system.router.infer(request);
        if (response.model?.name !== "digits-lowres-specialist") errors += 1;
      } catch {
        errors += 1;
      }
      return performance.now() - start;
    };
    // Wait for the decision engine to see the policy, then warm up.
    for (let i = 0; i < 100; i++) {
      if ((await system.router.explain({ request }).catch(() => undefined)) !== undefined) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (let i = 0; i < budget.warmupRequests; i++) await once();
    errors = 0;

    log(`  ${label(scenario)}: ${budget.sequentialRequests} sequential requests…`);
    const sequential: number[] = [];
    for (let i = 0; i < budget.sequentialRequests; i++) sequential.push(await once());

    log(`  ${label(scenario)}: ${budget.loadSeconds} s at concurrency ${budget.concurrency}…`);
    const loaded: number[] = [];
    const end = performance.now() + budget.loadSeconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: budget.concurrency }, async () => {
        while (performance.now() < end) loaded.push(await once());
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      ...scenario,
      sequential: summarize(sequential),
      loaded: { ...summarize(loaded), concurrency: budget.concurrency, requestsPerSecond: loaded.length / seconds },
      errors,
    };
  } finally {
    await system.stop();
    await receiver?.close();
  }
}

/** A scenario's name in tables, e.g. "distributed, tracing on". */
export function label(scenario: Scenario): string {
  return `${scenario.topology}, tracing ${scenario.tracing ? "on" : "off"}`;
}
