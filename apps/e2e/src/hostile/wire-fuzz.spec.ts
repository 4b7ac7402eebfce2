import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { create, toBinary } from "@bufbuild/protobuf";
import { InferRequestSchema } from "@modelrouter/contracts";
import { loadDemoModels } from "@modelrouter/model-zoo";
import { codeName } from "@modelrouter/rpc-kit";
import type { RunningSystem, Topology } from "@modelrouter/testing";
import type { CallOutcome } from "./call-outcome.js";
import { runConnectCases } from "./connect-call.js";
import { buildConnectCorpus, CONNECT_INFER_PATH, HUGE_CONNECT_TIMEOUTS, validInferJson } from "./connect-corpus.js";
import { deadProcesses, startDemoSystem } from "./demo-system.js";
import { fuzzFigures, formatFigures } from "./fuzz-figures.js";
import { fuzzMethodsByService, validInferInit } from "./fuzz-methods.js";
import { grpcFrame } from "./grpc-frame.js";
import { utf8 } from "./protobuf-wire.js";
import { runRawGrpcCases, type RawGrpcCase } from "./raw-grpc-call.js";
import { hostileCasesScale, hostileSeed, seededRandom } from "./seeded-random.js";
import { buildWireCorpus, HUGE_TIMEOUTS, type CorpusTarget } from "./wire-corpus.js";

const seed = hostileSeed();
/** How many times the CI corpus to send (`HOSTILE_CASES_SCALE`, default 1; see docs/reliability.md). */
const scale = hostileCasesScale();
/** Cases sent to the router's public port, and to each internal service's methods. */
const ROUTER_CASES = 1_200 * scale;
const INTERNAL_CASES = 150 * scale;
const CONNECT_CASES = 300 * scale;
const CONCURRENCY = 8;

const INFER_PATH = "/modelrouter.router.v1.RouterService/Infer";

/** Every figure that must be zero, with the first offending cases, for one readable failure. */
function badFigures(outcomes: readonly CallOutcome[], title: string) {
  const { figures, offenders } = fuzzFigures(outcomes);
  process.stdout.write(`${formatFigures(title, seed, figures)}\n`);
  const first = (list: readonly string[]) => list.slice(0, 12);
  return {
    seed,
    internalOrUnknown: { count: figures.internal + figures.unknown, first: first(offenders.internalOrUnknown) },
    resetsOrGoaways: { count: figures.resets + figures.goaways, first: first(offenders.resets) },
    noAnswer: { count: figures.hung + figures.noStatus, first: first([...offenders.hung, ...offenders.noStatus]) },
    invalidArgumentNamingNoField: { count: figures.unnamedInvalidArgument, first: first(offenders.unnamedInvalidArgument) },
  };
}

const none = { count: 0, first: [] };
const clean = { seed, internalOrUnknown: none, resetsOrGoaways: none, noAnswer: none, invalidArgumentNamingNoField: none };

describe.each(["distributed", "co-located"] as Topology[])("hostile wire input, %s", (topology) => {
  let system: RunningSystem;
  let targets: CorpusTarget[];

  beforeAll(async () => {
    system = await startDemoSystem(topology);
    const explained = await system.router.explain({ request: validInferInit() });
    const model = loadDemoModels().find((m) => m.name === "digits-general")!;
    const methods = fuzzMethodsByService({ profile: explained.profile!, model });
    // Each service's methods go to its own port; a service without one (co-located) is tried on the router's.
    targets = Object.entries(methods).map(([name, served]) => {
      const own = system.addresses[name];
      return {
        name: own === undefined ? `${name} (on the router port)` : name,
        address: own ?? system.routerAddress,
        methods: served,
        cases: name === "router" ? ROUTER_CASES : INTERNAL_CASES,
      };
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it("a valid call with a grpc-timeout too long for a 32-bit timer is not cut short", async () => {
    const body = grpcFrame(toBinary(InferRequestSchema, create(InferRequestSchema, validInferInit())));
    const cases: RawGrpcCase[] = HUGE_TIMEOUTS.map((timeout, i) => ({
      id: `huge-timeout:${i}`,
      target: "router",
      address: system.routerAddress,
      path: INFER_PATH,
      family: "header",
      note: `grpc-timeout: ${timeout}`,
      headers: { "content-type": "application/grpc", te: "trailers", "grpc-timeout": timeout },
      body,
      tunnel: false,
    }));
    const outcomes = await runRawGrpcCases(cases, 1);
    const codes = outcomes.map((o) => [o.note, o.status === undefined ? "no status" : codeName(o.status.code)]);
    expect(codes).toEqual(HUGE_TIMEOUTS.map((t) => [`grpc-timeout: ${t}`, "OK"]));
  });

  it("a valid Connect call with a timeout of 2^31 ms or more is not cut short", async () => {
    const body = utf8(JSON.stringify(validInferJson()));
    const outcomes = await runConnectCases(
      system.httpUrl,
      HUGE_CONNECT_TIMEOUTS.map((timeout, i) => ({
        id: `huge-connect-timeout:${i}`,
        path: CONNECT_INFER_PATH,
        method: "POST",
        family: "timeout",
        note: `connect-timeout-ms: ${timeout}`,
        headers: { "content-type": "application/json", "connect-protocol-version": "1", "connect-timeout-ms": timeout },
        body,
      })),
      1,
    );
    const codes = outcomes.map((o) => [o.note, o.status === undefined ? `HTTP ${o.httpStatus}` : codeName(o.status.code)]);
    expect(codes).toEqual(HUGE_CONNECT_TIMEOUTS.map((t) => [`connect-timeout-ms: ${t}`, "OK"]));
  });

  it("garbled frames, invalid messages, bad headers and unknown methods on every gRPC port: no crash, no INTERNAL, no reset, every INVALID_ARGUMENT names its field", async () => {
    const cases = buildWireCorpus(targets, seededRandom(seed));
    const outcomes = await runRawGrpcCases(cases, CONCURRENCY);
    const figures = badFigures(outcomes, `gRPC wire fuzz, ${topology}`);
    expect({ crashed: deadProcesses(system), allServing: await system.allServing() }).toEqual({ crashed: [], allServing: true });
    expect(figures).toEqual(clean);
  }, 300_000 * scale);

  it("malformed, deep, mis-typed and mis-encoded Connect/JSON on the HTTP port: no crash, no INTERNAL, no reset, every INVALID_ARGUMENT names its field", async () => {
    const cases = buildConnectCorpus(CONNECT_CASES, seededRandom(seed ^ 0xc0ffee));
    const outcomes = await runConnectCases(system.httpUrl, cases, CONCURRENCY);
    const figures = badFigures(outcomes, `Connect/JSON fuzz, ${topology}`);
    expect({ crashed: deadProcesses(system), allServing: await system.allServing() }).toEqual({ crashed: [], allServing: true });
    expect(figures).toEqual(clean);
  }, 300_000 * scale);
});
