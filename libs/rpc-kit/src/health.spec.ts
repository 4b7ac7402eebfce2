import { describe, expect, it } from "@jest/globals";
import { HealthState, LIVENESS_SERVICE, ServingStatus } from "./health.js";

describe("a process's health", () => {
  it("is not ready before it listens, and liveness is always SERVING", () => {
    const health = new HealthState();
    health.register("a.v1.A");
    expect(health.get("")).toBe(ServingStatus.NOT_SERVING);
    expect(health.get("a.v1.A")).toBe(ServingStatus.NOT_SERVING);
    expect(health.get(LIVENESS_SERVICE)).toBe(ServingStatus.SERVING);
  });

  it("is ready only once every hosted service is SERVING", () => {
    const health = new HealthState();
    health.register("a.v1.A");
    health.set("b.v1.B", ServingStatus.NOT_SERVING);
    health.listening();
    expect(health.get("a.v1.A")).toBe(ServingStatus.SERVING);
    expect(health.get("")).toBe(ServingStatus.NOT_SERVING);
    health.set("b.v1.B", ServingStatus.SERVING);
    expect(health.get("")).toBe(ServingStatus.SERVING);
  });

  it("reports every change of readiness to watchers, and is NOT_SERVING for good once shut down", () => {
    const health = new HealthState();
    const seen: string[] = [];
    health.subscribe((service, status) => seen.push(`${service || "(ready)"}=${ServingStatus[status]}`));
    health.set("b.v1.B", ServingStatus.NOT_SERVING);
    health.listening();
    health.set("b.v1.B", ServingStatus.SERVING);
    health.shutDown();
    health.set("b.v1.B", ServingStatus.SERVING);
    expect(seen).toEqual(["b.v1.B=NOT_SERVING", "(ready)=SERVING", "b.v1.B=SERVING", "(ready)=NOT_SERVING", "b.v1.B=NOT_SERVING"]);
    expect(health.get("")).toBe(ServingStatus.NOT_SERVING);
    expect(health.get(LIVENESS_SERVICE)).toBe(ServingStatus.SERVING);
  });

  it("knows nothing of services it does not host", () => {
    expect(new HealthState().get("nope.v1.Nope")).toBeUndefined();
  });
});
