import { describe, expect, it } from "@jest/globals";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { ExperimentVerdict, Strategy, type ExperimentSchema, type TargetSchema } from "@modelrouter/contracts";
import { compilePolicy, experimentSettings } from "./index.js";
import { compiled, modelTarget, policy, selectorTarget } from "./policy-fixtures.test-support.js";

type ExperimentInit = MessageInitShape<typeof ExperimentSchema>;
type TargetInit = MessageInitShape<typeof TargetSchema>;

function weighted(target: TargetInit, weight = 50): TargetInit {
  return { ...target, weight };
}

const split = [weighted(modelTarget("control")), weighted(modelTarget("challenger"))];

function experimentPolicy(experiment: ExperimentInit, targets: TargetInit[] = split, strategy = Strategy.WEIGHTED) {
  return { name: "ab", defaultRoute: { targets, strategy, experiment } };
}

function problems(experiment: ExperimentInit, targets?: TargetInit[], strategy?: Strategy): string[] {
  const result = compilePolicy(policy(experimentPolicy(experiment, targets, strategy)));
  return result.kind === "invalid" ? result.violations.map((v) => `${v.field}: ${v.description}`) : [];
}

const ended: ExperimentInit = { outcome: { verdict: ExperimentVerdict.PROMOTED, fromRevision: 3n } };

describe("compiling a route's experiment", () => {
  it("accepts a weighted split of two named models with the defaults", () => {
    const route = compiled(experimentPolicy({})).defaultRoute;
    expect(route?.experiment).toEqual({
      settings: { metric: "accuracy", minSamples: 100, alpha: 0.05, maxErrorRate: undefined, minEffect: 0 },
      ended: false,
      source: "default_route.experiment",
    });
  });

  it("requires STRATEGY_WEIGHTED and says how to fix it", () => {
    expect(problems({}, [modelTarget("control"), modelTarget("challenger")], Strategy.FIRST)).toEqual([
      expect.stringMatching(/^default_route\.experiment: .*not STRATEGY_WEIGHTED.*set `strategy: STRATEGY_WEIGHTED`/),
    ]);
  });

  it("requires a control and at least one challenger", () => {
    expect(problems({}, [weighted(modelTarget("control"))])).toEqual([
      expect.stringMatching(/^default_route\.experiment: needs at least 2 targets .* the route has 1/),
    ]);
  });

  it("requires every arm to name a model, not a label selector", () => {
    expect(problems({}, [weighted(modelTarget("control")), weighted(selectorTarget({ team: "x" }))])).toEqual([
      expect.stringMatching(/targets\[1\] is a label selector: name one model per target/),
    ]);
  });

  it("checks alpha, min_samples, max_error_rate and min_effect, naming each field", () => {
    const fields = problems({ alpha: 0.6, minSamples: 5, maxErrorRate: 0, minEffect: -0.01 }).map((p) => p.split(":")[0]);
    expect(fields).toEqual([
      "default_route.experiment.alpha",
      "default_route.experiment.min_samples",
      "default_route.experiment.max_error_rate",
      "default_route.experiment.min_effect",
    ]);
    expect(problems({ alpha: 0 })).toEqual([expect.stringContaining("must be in (0, 0.5]")]);
    expect(problems({ alpha: 0.5, minSamples: 10, maxErrorRate: 1, minEffect: 0 })).toEqual([]);
  });

  it("keeps an ended experiment as evidence on any route, without the running checks", () => {
    const route = compiled(experimentPolicy(ended, [modelTarget("challenger")], Strategy.FIRST)).defaultRoute;
    expect(route?.experiment?.ended).toBe(true);
  });

  it("fills the name and the defaults for the registry's monitor", () => {
    const body = policy(experimentPolicy({ metric: 3, minSamples: 20, alpha: 0.01, maxErrorRate: 0.2, minEffect: 5 }));
    expect(experimentSettings(body.defaultRoute!, "ab", "")).toEqual({
      name: "ab/default",
      metric: "latency",
      minSamples: 20,
      alpha: 0.01,
      maxErrorRate: 0.2,
      minEffect: 5,
    });
    expect(experimentSettings(policy(experimentPolicy({ name: "lite-vs-general" })).defaultRoute!, "ab", "")?.name).toBe(
      "lite-vs-general",
    );
  });
});
