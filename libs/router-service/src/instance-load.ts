import { create } from "@bufbuild/protobuf";
import { ModelRefSchema, type ModelRef } from "@modelrouter/contracts";

/** A model version as a call names it. */
export interface ModelNamed {
  readonly name?: string;
  readonly version?: string;
}

/** One model version's requests in flight, as this router counts them. */
export interface ModelInFlight {
  readonly model: ModelRef;
  readonly inFlight: number;
}

/**
 * The requests in flight per executor instance and per model version, counted by this router alone: its own
 * calls, not the other routers' (each router balances on its own view, as every power-of-two-choices client does).
 */
export interface InstanceLoad {
  /** Counts one call of `model` on `instance` until the returned function is called (a second call does nothing). */
  begin(instance: string, model: ModelNamed | undefined): () => void;
  /** The calls in flight on `instance`. */
  ofInstance(instance: string): number;
  /** The model versions with calls in flight, busiest first, at most `limit` of them. */
  models(limit: number): readonly ModelInFlight[];
  /** Settles once `instance` has no call in flight (at once if it has none). */
  idle(instance: string): Promise<void>;
}

const keyOf = (model: ModelNamed | undefined) => `${model?.name ?? ""}@${model?.version ?? ""}`;

/** Creates an empty {@link InstanceLoad}. */
export function createInstanceLoad(): InstanceLoad {
  const byInstance = new Map<string, number>();
  const byModel = new Map<string, { model: ModelRef; inFlight: number }>();
  const waiting = new Map<string, (() => void)[]>();

  const settle = (instance: string) => {
    const resolvers = waiting.get(instance);
    waiting.delete(instance);
    for (const resolve of resolvers ?? []) resolve();
  };

  return {
    begin(instance, model) {
      byInstance.set(instance, (byInstance.get(instance) ?? 0) + 1);
      const key = keyOf(model);
      const entry = byModel.get(key) ?? { model: create(ModelRefSchema, { name: model?.name ?? "", version: model?.version ?? "" }), inFlight: 0 };
      entry.inFlight += 1;
      byModel.set(key, entry);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        const left = (byInstance.get(instance) ?? 1) - 1;
        if (left > 0) byInstance.set(instance, left);
        else {
          byInstance.delete(instance);
          settle(instance);
        }
        entry.inFlight -= 1;
        if (entry.inFlight <= 0) byModel.delete(key);
      };
    },
    ofInstance: (instance) => byInstance.get(instance) ?? 0,
    models(limit) {
      return [...byModel.values()]
        .sort((a, b) => b.inFlight - a.inFlight)
        .slice(0, Math.max(0, limit))
        .map(({ model, inFlight }) => ({ model, inFlight }));
    },
    idle(instance) {
      if (!byInstance.has(instance)) return Promise.resolve();
      return new Promise((resolve) => {
        waiting.set(instance, [...(waiting.get(instance) ?? []), resolve]);
      });
    },
  };
}
