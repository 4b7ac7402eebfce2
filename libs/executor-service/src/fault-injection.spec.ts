import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { ExecutorService, Modality, type Model } from "@modelrouter/contracts";
import { loadDemoModels, loadSampleIndex, modelZooDir } from "@modelrouter/model-zoo";
import { Code, type ServiceClient, createDirectClient, isRpcError } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { builtWorkerUrl, imagePayload, zooRequest } from "./executor.test-support.js";
import { createExecutorService } from "./executor-service.js";
import { type FaultRule, describeFaults, parseFaults, withFaults } from "./index.js";
import { type WorkerPool, createWorkerPool } from "./worker-pool.js";

describe("MODELROUTER_EXECUTOR_FAULTS, parsed", () => {
  it("is off when unset or empty", () => {
    expect(parseFaults(undefined)).toEqual({ rules: [], problems: [] });
    expect(parseFaults("  ")).toEqual({ rules: [], problems: [] });
  });

  it("reads abort and delay rules, the version defaulting to every version", () => {
    const parsed = parseFaults(
      '[{"model":"digits-lite","version":"","abort":{"share":0.5,"code":"UNAVAILABLE"},"delay":{"share":0.1,"ms":200}},' +
        '{"model":"digits-general","version":"2","delay":{"share":1,"ms":0}}]',
    );
    expect(parsed).toEqual({
      problems: [],
      rules: [
        { model: "digits-lite", version: "", abort: { share: 0.5, code: Code.UNAVAILABLE }, delay: { share: 0.1, ms: 200 } },
        { model: "digits-general", version: "2", delay: { share: 1, ms: 0 } },
      ],
    });
    expect(describeFaults(parsed.rules)).toEqual([
      "digits-lite: abort 50 % with UNAVAILABLE, delay 10 % by 200 ms",
      "digits-general@2: delay 100 % by 0 ms",
    ]);
  });

  it.each([
    ["not JSON", "[{", /^MODELROUTER_EXECUTOR_FAULTS is not JSON/],
    ["not a list", '{"model":"a"}', /^MODELROUTER_EXECUTOR_FAULTS is not a list/],
    ["no model", '[{"abort":{"share":0.5,"code":"UNAVAILABLE"}}]', /^MODELROUTER_EXECUTOR_FAULTS\[0\]\.model is undefined: name the model/],
    ["neither fault", '[{"model":"a"}]', /^MODELROUTER_EXECUTOR_FAULTS\[0\] has neither abort nor delay/],
    ["an unknown code", '[{"model":"a","abort":{"share":0.5,"code":"UNAVAILABL"}}]', /^MODELROUTER_EXECUTOR_FAULTS\[0\]\.abort\.code is "UNAVAILABL": give a gRPC code name other than OK, such as UNAVAILABLE/],
    ["OK as a code", '[{"model":"a","abort":{"share":0.5,"code":"OK"}}]', /\.abort\.code is "OK"/],
    ["a share above 1", '[{"model":"a","abort":{"share":50,"code":"UNAVAILABLE"}}]', /^MODELROUTER_EXECUTOR_FAULTS\[0\]\.abort\.share is 50: .*above 0 and at most 1/],
    ["a negative delay", '[{"model":"a","delay":{"share":0.5,"ms":-1}}]', /^MODELROUTER_EXECUTOR_FAULTS\[0\]\.delay\.ms is -1: give the delay in milliseconds, from 0 to 60000/],
    ["an unknown field", '[{"model":"a","abrt":{},"delay":{"share":1,"ms":1}}]', /^MODELROUTER_EXECUTOR_FAULTS\[0\] has unknown field\(s\) abrt/],
  ])("refuses %s, naming the entry, the field and the fix", (_, text, problem) => {
    const parsed = parseFaults(text);
    expect(parsed.rules).toEqual([]);
    expect(parsed.problems).toEqual([expect.stringMatching(problem)]);
  });
});

describe("an executor with faults injected", () => {
  const models = loadDemoModels().filter((m) => m.modality === Modality.IMAGE);
  const modelNamed = (name: string): Model => {
    const found = models.find((m) => m.name === name);
    if (found === undefined) throw new Error(`the zoo has no model ${name}`);
    return found;
  };
  const sample = loadSampleIndex().find((s) => s.kind === "mnist");
  const payload = imagePayload(new Uint8Array(readFileSync(sample?.path ?? "")));
  let pool: WorkerPool;

  beforeAll(async () => {
    const logger = createLogger({ service: "executor-faults-test", write: () => undefined });
    pool = createWorkerPool({ modelRoot: modelZooDir(), size: 1, workerUrl: builtWorkerUrl(), logger });
    await pool.ready();
  }, 120_000);

  afterAll(async () => {
    await pool?.close();
  });

  const clientWith = (rules: readonly FaultRule[], random: () => number): ServiceClient<typeof ExecutorService> => {
    const logger = createLogger({ service: "executor-faults-test", write: () => undefined });
    return createDirectClient(ExecutorService, withFaults(createExecutorService({ pool, logger }), rules, { random }), { defaultTimeoutMs: 60_000 });
  };

  const outcome = async (client: ServiceClient<typeof ExecutorService>, name: string): Promise<string> => {
    try {
      const response = await client.execute(zooRequest(modelNamed(name), payload, `faults-${name}`));
      return response.outputs.length > 0 ? "ok" : "empty";
    } catch (error) {
      return isRpcError(error) ? `${error.code}:${error.reason ?? ""}` : String(error);
    }
  };

  it("fails the drawn share of the named model's requests with the code, before the model runs, and passes the rest", async () => {
    const draws = [0.2, 0.7, 0.49, 0.5];
    const client = clientWith(parseFaults('[{"model":"digits-lite","abort":{"share":0.5,"code":"UNAVAILABLE"}}]').rules, () => draws.shift() ?? 0.9);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await outcome(client, "digits-lite"));
    expect(results).toEqual([`${Code.UNAVAILABLE}:FAULT_INJECTED`, "ok", `${Code.UNAVAILABLE}:FAULT_INJECTED`, "ok"]);
  });

  it("leaves other models and other versions alone", async () => {
    const rules = parseFaults('[{"model":"digits-lite","version":"999","abort":{"share":1,"code":"INTERNAL"}}]').rules;
    const client = clientWith(rules, () => 0);
    expect(await outcome(client, "digits-lite")).toBe("ok");
    expect(await outcome(client, "digits-general")).toBe("ok");
  });

  it("holds a delayed request for the delay and then runs it", async () => {
    const client = clientWith(parseFaults('[{"model":"digits-general","delay":{"share":1,"ms":150}}]').rules, () => 0);
    const started = performance.now();
    expect(await outcome(client, "digits-general")).toBe("ok");
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});
