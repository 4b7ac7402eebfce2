import { describe, expect, it } from "@jest/globals";
import { ExecutorService } from "@modelrouter/contracts";
import { Code, RpcError, createDirectClient } from "@modelrouter/rpc-kit";
import { createLogger } from "@modelrouter/telemetry";
import { discoverExecutors, type OwnedClient } from "./executor-discovery.js";
import { wholeAnswerExecutor } from "./whole-answer-executor.test-support.js";

const quiet = createLogger({ service: "test", write: () => undefined });

/** A DNS zone the test edits, and the clients the discovery opened and closed. */
function world(zone: Record<string, readonly string[] | "fail">) {
  const opened: string[] = [];
  const closed: string[] = [];
  const lookups: string[] = [];
  const connect = (address: string): OwnedClient => {
    opened.push(address);
    const client = createDirectClient(
      ExecutorService,
      wholeAnswerExecutor(() => Promise.reject(new RpcError({ code: Code.UNIMPLEMENTED, message: address }))),
      { defaultTimeoutMs: 1000 },
    );
    return { client, close: () => closed.push(address) };
  };
  const lookup = (host: string) => {
    lookups.push(host);
    const answer = zone[host];
    return answer === undefined || answer === "fail" ? Promise.reject(new Error(`ENOTFOUND ${host}`)) : Promise.resolve(answer);
  };
  return { zone, opened, closed, lookups, connect, lookup };
}

const names = (list: readonly { name: string }[]) => list.map((i) => i.name).sort();

describe("discovering executors from addresses and DNS names", () => {
  it("takes IP addresses as instances as they are, without a lookup", async () => {
    const w = world({});
    const executors = discoverExecutors({ targets: ["10.0.0.5:50055", "[fd00::7]:50055"], connect: w.connect, lookup: w.lookup, intervalMs: 5000, logger: quiet });
    await executors.ready;
    expect(names(executors.list())).toEqual(["10.0.0.5:50055", "[fd00::7]:50055"]);
    expect(w.lookups).toEqual([]);
    await executors.close();
    expect(w.closed.sort()).toEqual(["10.0.0.5:50055", "[fd00::7]:50055"]);
  });

  it("makes every address of a DNS name an instance with a client of its own, and follows the name as pods come and go", async () => {
    const w = world({ "executor.svc": ["10.1.0.1", "10.1.0.2"] });
    const executors = discoverExecutors({ targets: ["executor.svc:50055"], connect: w.connect, lookup: w.lookup, intervalMs: 60_000, logger: quiet });
    await executors.ready;
    expect(names(executors.list())).toEqual(["10.1.0.1:50055", "10.1.0.2:50055"]);

    w.zone["executor.svc"] = ["10.1.0.2", "10.1.0.3"];
    await executors.refresh();
    expect(names(executors.list())).toEqual(["10.1.0.2:50055", "10.1.0.3:50055"]);
    expect(w.opened).toEqual(["10.1.0.1:50055", "10.1.0.2:50055", "10.1.0.3:50055"]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(w.closed).toEqual(["10.1.0.1:50055"]);
    await executors.close();
  });

  it("closes a departed instance's client only once its calls in flight have ended", async () => {
    const w = world({ "executor.svc": ["10.1.0.1"] });
    const executors = discoverExecutors({ targets: ["executor.svc:50055"], connect: w.connect, lookup: w.lookup, intervalMs: 60_000, logger: quiet });
    await executors.ready;
    const end = executors.load.begin("10.1.0.1:50055", { name: "digits-general", version: "1" });
    w.zone["executor.svc"] = [];
    await executors.refresh();
    expect(executors.list()).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(w.closed).toEqual([]);
    end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(w.closed).toEqual(["10.1.0.1:50055"]);
    await executors.close();
  });

  it("keeps a name's last addresses when a lookup fails, so a DNS outage does not empty the list", async () => {
    const w = world({ "executor.svc": ["10.1.0.1"] });
    const executors = discoverExecutors({
      targets: ["executor.svc:50055", "10.0.0.9:50055"],
      connect: w.connect,
      lookup: w.lookup,
      intervalMs: 60_000,
      logger: quiet,
    });
    await executors.ready;
    w.zone["executor.svc"] = "fail";
    await executors.refresh();
    expect(names(executors.list())).toEqual(["10.0.0.9:50055", "10.1.0.1:50055"]);
    expect(w.closed).toEqual([]);
    await executors.close();
  });

  it("resolves DNS names again on its own, every interval", async () => {
    const w = world({ "executor.svc": ["10.1.0.1"] });
    const executors = discoverExecutors({ targets: ["executor.svc:50055"], connect: w.connect, lookup: w.lookup, intervalMs: 5, logger: quiet });
    await executors.ready;
    w.zone["executor.svc"] = ["10.1.0.1", "10.1.0.2"];
    while (executors.list().length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(names(executors.list())).toEqual(["10.1.0.1:50055", "10.1.0.2:50055"]);
    await executors.close();
  });
});
