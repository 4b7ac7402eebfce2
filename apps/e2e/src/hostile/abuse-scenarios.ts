import http from "node:http";
import { create, toBinary } from "@bufbuild/protobuf";
import { InferRequestSchema, PolicySchema, RouterService } from "@modelrouter/contracts";
import { Code, codeName, createGrpcChannel, createGrpcClient } from "@modelrouter/rpc-kit";
import type { RunningProcess, RunningSystem } from "@modelrouter/testing";
import { CONNECT_INFER_PATH } from "./connect-corpus.js";
import { postConnectJson } from "./connect-infer.js";
import { validInferInit } from "./fuzz-methods.js";
import { eventually } from "./demo-system.js";
import { grpcFrame } from "./grpc-frame.js";
import {
  costlyPolicy,
  HOSTILE_MODEL_URIS,
  justOverLimitText,
  justUnderLimitText,
  MISSING_TWINS,
  modelWithHugeLabels,
  modelWithUri,
  policyRoutingByCase,
} from "./hostile-resources.js";
import { largeDigitScan } from "./png.js";
import { guardMemory, memoryOf, mib, type MemoryGuard } from "./proc-stats.js";
import { codeOf, countCodes, fieldsOf, settle, type Settled } from "./settle.js";
import { openSingleConnection, type SingleCallResult } from "./single-connection.js";

const INFER_PATH = "/modelrouter.router.v1.RouterService/Infer";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A framed, valid Infer of a digit image. */
export const validInferFrame = (): Uint8Array => grpcFrame(toBinary(InferRequestSchema, create(InferRequestSchema, validInferInit())));

/**
 * Applies 256 legal rules of `[0..n−1].all(x, x in [0..n−1]) && …` (see {@link costlyPolicy}); deletes the
 * policy again if it was stored.
 */
export async function applyCostlyPolicy(system: RunningSystem, n: number) {
  const policy = costlyPolicy(`hostile-costly-${n}`, n);
  const bytes = toBinary(PolicySchema, policy).length;
  const outcome = await settle(system.registry.applyPolicy({ policy }, { timeoutMs: 60_000 }));
  if (outcome.ok) await system.registry.deletePolicy({ name: policy.name });
  return { n, rules: policy.rules.length, policyKiB: Math.round(bytes / 1024), code: codeOf(outcome), fields: fieldsOf(outcome), message: outcome.ok ? "" : outcome.error.message.slice(0, 200) };
}

/** How far past its starting memory the executor may go in the URI test before it is killed to protect the machine. */
const MEMORY_GUARD_BYTES = 1024 * 1024 * 1024;

/** What happened to one model URI: refused when registered, failed when run, or served. */
export interface UriAnswer {
  readonly uri: string;
  readonly stage: "registration" | "execution" | "served";
  readonly code: string;
  readonly fields: readonly string[];
  readonly message: string;
}

/**
 * Registers a model for each hostile URI and for a missing file of the same shape, makes the executor load each
 * one that was accepted (through a policy that names it), and measures the executor's memory around it all.
 * Cleans up the models and the policy.
 */
export async function tryHostileModelUris(system: RunningSystem, executor: RunningProcess) {
  const uris = [...HOSTILE_MODEL_URIS, ...HOSTILE_MODEL_URIS.map((uri) => MISSING_TWINS[uri]!)];
  const names = uris.map((_, i) => `hostile-uri-${i}`);
  await system.router.infer(validInferInit());
  const before = memoryOf(executor.pid);
  const guard = guardMemory(executor.pid, before.rss + MEMORY_GUARD_BYTES, () => executor.kill());
  const answers: UriAnswer[] = [];
  let guarded: ReturnType<MemoryGuard["stop"]> | undefined;
  try {
    const registered: number[] = [];
    for (const [i, uri] of uris.entries()) {
      const outcome = await settle(system.registry.registerModel({ model: modelWithUri(names[i]!, uri) }));
      if (outcome.ok) registered.push(i);
      else answers[i] = { uri, stage: "registration", code: codeOf(outcome), fields: fieldsOf(outcome), message: outcome.error.message };
    }
    const policyName = "hostile-uris";
    if (registered.length > 0) {
      await system.registry.applyPolicy({ policy: policyRoutingByCase(policyName, names) });
      // The decision engine learns the policy from the registry's watch: wait until it routes by it.
      const routedBy = (i: number) => ({ ...validInferInit(), policy: policyName, metadata: { uri_case: String(i) } });
      await eventually(async () => {
        const explained = await system.router.explain({ request: routedBy(registered[0]!) });
        if (explained.decision?.policy !== policyName) throw new Error(`the decision engine does not route by ${policyName} yet`);
      });
      for (const i of registered) {
        const outcome = await settle(system.router.infer({ ...routedBy(i), requestId: `hostile-uri-request-${i}` }, { timeoutMs: 60_000 }));
        answers[i] = { uri: uris[i]!, stage: outcome.ok ? "served" : "execution", code: codeOf(outcome), fields: fieldsOf(outcome), message: outcome.ok ? "" : outcome.error.message };
      }
      await settle(system.registry.deletePolicy({ name: policyName }));
      for (const i of registered) await settle(system.registry.deregisterModel({ name: names[i]!, version: "1" }));
    }
  } finally {
    guarded = guard.stop();
  }
  const after = guarded.killed ? { rss: guarded.maxRssBytes, peak: guarded.maxRssBytes } : memoryOf(executor.pid);
  return {
    answers,
    killedByMemoryGuard: guarded.killed,
    rssGrowthMiB: mib(after.rss - before.rss),
    peakGrowthMiB: mib(after.peak - before.peak),
    rssMiB: { before: mib(before.rss), after: mib(after.rss), peakAfter: mib(after.peak) },
  };
}

/** An answer with everything that legitimately differs between two URIs (the URI, file names, ids, times) blanked. */
export function normalisedAnswer(answer: UriAnswer): string {
  const message = answer.message
    .split(answer.uri)
    .join("<uri>")
    .split(answer.uri.replace(/^file:\/\//, ""))
    .join("<uri>")
    .replace(/(passwd|shadow|zero|hostile-no-such-(file|device))/g, "<file>")
    .replace(/hostile-uri-(request-)?\d+(-\d+)?/g, "<id>")
    .replace(/[0-9a-f]{32}/g, "<trace>")
    .replace(/\d+(\.\d+)? ?ms/g, "<ms>");
  return `${answer.stage} ${answer.code} [${answer.fields.join(", ")}] ${message}`;
}

/**
 * Runs 40 digit Infers a second for 4 s (160 calls) and, among them, three Infers of text 64 bytes under the
 * 8 MiB limit and one 1 KiB over it. Returns their codes, the code of the same text request when small, and the
 * codes of the 160 others.
 */
export async function bigInfersAmidLoad(system: RunningSystem) {
  const messages: string[] = [];
  // The same tenant and tier as the normal traffic: admission control would shed a lower tier first on a busy machine.
  const { tenant = "", tier = "", userId = "" } = validInferInit();
  const sameCaller = { tenant, tier, userId };
  const textInfer = (text: string) =>
    settle(system.router.infer({ ...sameCaller, payload: { kind: { case: "text", value: text } } }, { timeoutMs: 30_000 })).then((settled) => {
      if (settled.ok) return "OK";
      messages.push(`${text.length} characters: ${codeOf(settled)} ${settled.error.reason ?? ""} ${settled.error.message.slice(0, 300)}`);
      return settled.error.reason === "LOAD_SHED" ? "LOAD_SHED" : codeOf(settled);
    });
  const smallText = await textInfer("a".repeat(1024));
  const under = justUnderLimitText();
  const over = justOverLimitText();
  const normal: Promise<string>[] = [];
  const justUnder: Promise<string>[] = [];
  let justOver: Promise<string> = Promise.resolve("not sent");
  for (let i = 0; i < 160; i++) {
    if (i === 30 || i === 60 || i === 90) justUnder.push(textInfer(under));
    if (i === 120) justOver = textInfer(over);
    normal.push(settle(system.router.infer(validInferInit(), { timeoutMs: 20_000 })).then(codeOf));
    await sleep(25);
  }
  const codes = await Promise.all(normal);
  return { smallText, justUnder: await Promise.all(justUnder), justOver: await justOver, normal: countCodes(codes), normalFailures: codes.filter((c) => c !== "OK").length, messages };
}

/**
 * 3,000 Infers with 3 ms deadlines on one gRPC channel (one HTTP/2 connection, as a grpc-js client keeps it:
 * it cancels each call at its deadline and reconnects after a GOAWAY), 64 at a time; then 50 normal Infers on the
 * same channel. Also counts, on a raw connection that never reconnects, the GOAWAYs the same 3,000 calls draw.
 */
export async function shortDeadlinesThenNormalCalls(address: string) {
  const channel = createGrpcChannel(address);
  const client = createGrpcClient(RouterService, channel, { defaultTimeoutMs: 20_000 });
  const short: string[] = [];
  const messages = new Set<string>();
  const record = (settled: Settled<unknown>) => {
    if (!settled.ok && settled.error.code !== Code.DEADLINE_EXCEEDED) messages.add(`${codeOf(settled)}: ${settled.error.message.slice(0, 300)}`);
    return codeOf(settled);
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < 3_000) {
        next += 1;
        short.push(record(await settle(client.infer(validInferInit(), { timeoutMs: 3 }))));
      }
    }),
  );
  const normal: string[] = [];
  for (let i = 0; i < 50; i++) normal.push(record(await settle(client.infer(validInferInit(), { timeoutMs: 20_000 }))));
  channel.close();
  return {
    short: countCodes(short),
    normal: countCodes(normal),
    failures: [...messages].slice(0, 8),
    internal: [...short, ...normal].filter((c) => c === "INTERNAL").length,
    rawConnection: await shortDeadlinesOnOneRawConnection(address),
  };
}

/** What 3,000 calls with 3 ms deadlines do to one HTTP/2 connection that is never replaced (for the log). */
async function shortDeadlinesOnOneRawConnection(address: string) {
  const connection = openSingleConnection(address);
  const body = validInferFrame();
  const results: SingleCallResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < 3_000) {
        next += 1;
        results.push(await connection.call(INFER_PATH, body, { cancelAfterMs: 3 }));
      }
    }),
  );
  const after = await connection.call(INFER_PATH, body);
  connection.close();
  const label = (r: SingleCallResult) => (r.code !== undefined ? codeName(r.code) : r.cancelledByClient ? "cancelled by the client" : `failed: ${r.failure}`);
  return { calls: countCodes(results.map(label)), goaways: connection.goaways, aNormalCallAfter: label(after) };
}

/** Registers a model with ~100k labels (a request just under 8 MiB). The caller removes it with {@link removeModel} if it was stored. */
export async function registerHugeLabels(system: RunningSystem) {
  const { model, labels, bytes } = modelWithHugeLabels("hostile-labels");
  const outcome = await settle(system.registry.registerModel({ model }, { timeoutMs: 60_000 }));
  return { name: model.name, labels, requestMiB: mib(bytes), stored: outcome.ok, code: codeOf(outcome), fields: fieldsOf(outcome) };
}

/** Deregisters version 1 of a model; returns how that went (deregistering a huge model may fail too). */
export async function removeModel(system: RunningSystem, name: string): Promise<string> {
  return codeOf(await settle(system.registry.deregisterModel({ name, version: "1" }, { timeoutMs: 60_000 })));
}

/** Runs `count` digit Infers one after another; returns their codes. */
export async function inferCodes(system: RunningSystem, count: number): Promise<Record<string, number>> {
  const codes: string[] = [];
  for (let i = 0; i < count; i++) codes.push(codeOf(await settle(system.router.infer(validInferInit(), { timeoutMs: 10_000 }))));
  return countCodes(codes);
}

/** A valid Infer of a 1024 × 1024 scan: slow enough that 40 of them are still running when a signal comes. */
function slowInfer() {
  const data = largeDigitScan();
  const init = { payload: { kind: { case: "image" as const, value: { data, mimeType: "image/png" } } } };
  return { frame: grpcFrame(toBinary(InferRequestSchema, create(InferRequestSchema, init))), json: JSON.stringify({ payload: { image: { data: Buffer.from(data).toString("base64") } } }) };
}

/**
 * Starts 20 gRPC Infers (on one HTTP/2 connection) and 20 Connect/JSON Infers (on 20 keep-alive connections) of a
 * large scan, and sends SIGTERM to `target` once every request has been written and the first answer has come
 * back; then waits for every call and for the process to exit. The connections are opened (and accepted by the
 * server) beforehand, so that "in flight" means the server has read the request, not that it sits in a listen
 * backlog.
 */
export async function sigtermWithCallsInFlight(system: RunningSystem, target: RunningProcess) {
  const url = `${system.httpUrl}${CONNECT_INFER_PATH}`;
  const connection = openSingleConnection(system.routerAddress);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
  const { frame, json } = slowInfer();
  await connection.call(INFER_PATH, validInferFrame());
  await Promise.all(Array.from({ length: 20 }, () => postConnectJson(url, "{}", agent).done));

  let signalledAt = Number.POSITIVE_INFINITY;
  let firstAnswer: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
  const grpcSent: Promise<void>[] = [];
  const grpc = Array.from({ length: 20 }, () => {
    let sent: () => void = () => undefined;
    grpcSent.push(new Promise<void>((resolve) => (sent = resolve)));
    return connection.call(INFER_PATH, frame, { onSent: () => sent() }).then((r) => {
      firstAnswer();
      return { code: r.code === undefined ? `failed: ${r.failure}` : codeName(r.code), late: performance.now() > signalledAt };
    });
  });
  const connect = Array.from({ length: 20 }, () => postConnectJson(url, json, agent));
  const connectResults = Promise.all(
    connect.map((c) =>
      c.done.then((r) => {
        firstAnswer();
        return { code: r.error === undefined ? r.code.toUpperCase() : `reset: ${r.error}`, late: performance.now() > signalledAt };
      }),
    ),
  );
  await Promise.all([...grpcSent, ...connect.map((c) => c.sent), answered]);
  signalledAt = performance.now();
  const exited = target.stop("SIGTERM", 30_000).then(
    (code) => ({ code, at: performance.now() }),
    (error: unknown) => ({ code: `not exited: ${String(error).slice(0, 300)}`, at: performance.now() }),
  );
  const connectDone = await connectResults;
  const grpcDone = await Promise.all(grpc);
  const lastAnswerAt = performance.now();
  connection.close();
  agent.destroy();
  const exit = await exited;
  return {
    grpc: countCodes(grpcDone.map((r) => r.code)),
    connect: countCodes(connectDone.map((r) => r.code)),
    answeredAfterSigterm: { grpc: grpcDone.filter((r) => r.late).length, connect: connectDone.filter((r) => r.late).length },
    exitCode: exit.code,
    exitMs: Math.round(exit.at - signalledAt),
    /** From the last answer to the exit: what is left once the calls in flight are drained. */
    exitMsAfterLastAnswer: Math.max(0, Math.round(exit.at - lastAnswerAt)),
  };
}
