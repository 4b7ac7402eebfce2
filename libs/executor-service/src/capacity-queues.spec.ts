import { describe, expect, it } from "@jest/globals";
import { ModelQueues } from "./capacity-queues.js";

describe("ModelQueues", () => {
  it("serves models in turn: a served model goes to the back, a new one joins at the back", () => {
    const queues = new ModelQueues<string>();
    for (const job of ["a1", "a2", "a3"]) queues.push("a", job);
    queues.push("b", "b1");
    expect(queues.take("a", 1)).toEqual(["a1"]);
    queues.push("c", "c1");
    expect(queues.queues().map(([key]) => key)).toEqual(["b", "a", "c"]);
    expect(queues.take("b", 1)).toEqual(["b1"]);
    expect(queues.queues().map(([key]) => key)).toEqual(["a", "c"]);
  });

  it("takes up to the asked number of tasks in arrival order and counts what waits", () => {
    const queues = new ModelQueues<number>();
    for (const job of [1, 2, 3, 4, 5]) queues.push("m", job);
    queues.push("n", 9);
    expect(queues.take("m", 3)).toEqual([1, 2, 3]);
    expect(queues.sizeOf("m")).toBe(2);
    expect(queues.size).toBe(3);
    expect(queues.take("m", 8)).toEqual([4, 5]);
    expect(queues.sizeOf("m")).toBe(0);
    expect(queues.take("m", 1)).toEqual([]);
  });

  it("removes a waiting task, and forgets a model whose queue empties", () => {
    const queues = new ModelQueues<string>();
    queues.push("m", "x");
    queues.push("m", "y");
    expect(queues.remove("m", "x")).toBe(true);
    expect(queues.remove("m", "x")).toBe(false);
    expect(queues.remove("m", "y")).toBe(true);
    expect(queues.queues()).toEqual([]);
    expect(queues.size).toBe(0);
  });

  it("drains every waiting task", () => {
    const queues = new ModelQueues<string>();
    queues.push("a", "a1");
    queues.push("b", "b1");
    queues.push("a", "a2");
    expect(queues.drain().sort()).toEqual(["a1", "a2", "b1"]);
    expect(queues.size).toBe(0);
  });
});
