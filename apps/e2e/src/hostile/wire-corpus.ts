import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { OpenRequestSchema } from "@modelrouter/contracts";
import { TUNNEL_PATH, type FuzzMethod } from "./fuzz-methods.js";
import { grpcFrame } from "./grpc-frame.js";
import { mutateMessage } from "./message-mutations.js";
import { concatBytes } from "./protobuf-wire.js";
import type { RawGrpcCase } from "./raw-grpc-call.js";
import type { Random } from "./seeded-random.js";

/** One server to fuzz: the methods it serves and how many cases to send it. */
export interface CorpusTarget {
  /** The `service.name` behind the address, e.g. "router". */
  readonly name: string;
  readonly address: string;
  readonly methods: readonly FuzzMethod[];
  readonly cases: number;
}

/** The headers of a well-formed call, with a deadline long enough for any honest answer (milliseconds here). */
const BASE_HEADERS: Readonly<Record<string, string>> = { "content-type": "application/grpc", te: "trailers", "grpc-timeout": "5S" };

/**
 * `grpc-timeout` values a client can send: garbage, zero, and values whose milliseconds overflow a 32-bit
 * timer (≥ 2,147,484 s) up to the largest the syntax allows. The valid but huge ones must not end the call at once.
 */
export const HOSTILE_TIMEOUTS = ["abc", "", "S", "1", "1.5S", "-1S", "123456789S", "0S", "0m", "1n", "2147484S", "99999999S", "99999999H", "99999999M", "4294968m"] as const;

/** `grpc-timeout` values that are valid and longer than any timer can wait in one go. */
export const HUGE_TIMEOUTS = ["2147484S", "99999999S", "99999999H", "99999999M", "4294968m"] as const;

function pickWeighted(methods: readonly FuzzMethod[], random: Random): FuzzMethod {
  const total = methods.reduce((n, m) => n + m.weight, 0);
  let at = random.next() * total;
  for (const method of methods) {
    at -= method.weight;
    if (at < 0) return method;
  }
  return methods[methods.length - 1]!;
}

type OpenInit = MessageInitShape<typeof OpenRequestSchema>;

const openRequest = (init: OpenInit): Uint8Array => toBinary(OpenRequestSchema, create(OpenRequestSchema, init));

type Draft = Omit<RawGrpcCase, "id" | "target" | "address" | "tunnel">;

function messageCase(method: FuzzMethod, random: Random): Draft {
  if (method.carried !== undefined && random.next() < 0.6) {
    const inner = mutateMessage(method.carried.valid, method.carried.fields, random);
    const body = grpcFrame(openRequest({ callId: 1n, method: method.carried.path, message: inner.bytes, timeoutMs: 10_000 }));
    return { path: method.path, family: "message", note: `tunnelled ${method.carried.path}: ${inner.kind}`, headers: BASE_HEADERS, body };
  }
  const mutation = mutateMessage(method.valid, method.fields, random);
  return { path: method.path, family: "message", note: mutation.kind, headers: BASE_HEADERS, body: grpcFrame(mutation.bytes) };
}

function frameCase(method: FuzzMethod, random: Random): Draft {
  const message = method.valid;
  const variants: Record<string, () => Uint8Array> = {
    "bad compressed flag": () => grpcFrame(message, { flag: random.pick([2, 3, 0x7f, 0x80, 0xff]) }),
    "compressed flag without grpc-encoding": () => grpcFrame(message, { flag: 1 }),
    "length prefix longer than the body": () => grpcFrame(message, { declaredLength: message.length + random.pick([1, 7, 100, 65_536]) }),
    "length prefix shorter than the body": () => grpcFrame(message, { declaredLength: Math.max(0, message.length - random.between(1, 8)) }),
    "length prefix over the size limit": () => grpcFrame(message, { declaredLength: random.pick([8 * 1024 * 1024 + 1, 0x7fff_ffff, 0xffff_ffff]) }),
    "truncated prefix": () => grpcFrame(message).subarray(0, random.between(1, 4)),
    "truncated message": () => {
      const frame = grpcFrame(message);
      return frame.subarray(0, random.between(5, Math.max(5, frame.length - 1)));
    },
    "trailing bytes after the message": () => concatBytes(grpcFrame(message), random.bytes(random.between(1, 10))),
    "empty body": () => new Uint8Array(0),
    "two messages to a unary method": () => concatBytes(grpcFrame(message), grpcFrame(message)),
    "empty message": () => grpcFrame(new Uint8Array(0)),
  };
  const name = random.pick(Object.keys(variants));
  return { path: method.path, family: "frame", note: name, headers: BASE_HEADERS, body: variants[name]!() };
}

function headerCase(method: FuzzMethod, random: Random): Draft {
  const body = grpcFrame(method.valid);
  const variants: Record<string, () => { headers: Record<string, string>; body?: Uint8Array }> = {
    "grpc-timeout": () => ({ headers: { ...BASE_HEADERS, "grpc-timeout": random.pick(HOSTILE_TIMEOUTS) } }),
    "content-type": () => ({
      headers: { ...BASE_HEADERS, "content-type": random.pick(["application/json", "text/plain", "application/grpc+json", "application/grpc-web", "application/grpc-web-text", "application/grpcx", "application/octet-stream", ""]) },
    }),
    "no content-type": () => {
      const { "content-type": _dropped, ...headers } = BASE_HEADERS;
      return { headers };
    },
    "grpc-encoding gzip, body not gzip": () => ({ headers: { ...BASE_HEADERS, "grpc-encoding": "gzip" }, body: grpcFrame(method.valid, { flag: 1 }) }),
    "unknown grpc-encoding": () => ({ headers: { ...BASE_HEADERS, "grpc-encoding": random.pick(["bogus", "br", "zstd"]) }, body: grpcFrame(method.valid, { flag: 1 }) }),
    "odd grpc-accept-encoding": () => ({ headers: { ...BASE_HEADERS, "grpc-accept-encoding": random.pick(["", ",,,", "bogus", "gzip;q=2"]) } }),
    "garbage traceparent": () => ({ headers: { ...BASE_HEADERS, traceparent: random.pick(["00-zz-zz-zz", "ff-" + "0".repeat(32) + "-" + "0".repeat(16) + "-01", "x".repeat(4096)]), tracestate: "a=" + "b".repeat(random.pick([1, 600])) } }),
    "garbage binary metadata": () => ({ headers: { ...BASE_HEADERS, "grpc-trace-bin": random.pick(["!!!", "AAAA", "////"]), "x-fuzz-bin": "%%%not base64" } }),
    "huge header value": () => ({ headers: { ...BASE_HEADERS, "x-fuzz": "v".repeat(random.pick([8_192, 65_536])) } }),
    "many headers": () => ({ headers: { ...BASE_HEADERS, ...Object.fromEntries(Array.from({ length: random.pick([50, 100]) }, (_, i) => [`x-fuzz-${i}`, String(i)])) } }),
    "no te header": () => {
      const { te: _dropped, ...headers } = BASE_HEADERS;
      return { headers };
    },
    "http method not POST": () => ({ headers: { ...BASE_HEADERS, ":method": random.pick(["GET", "PUT", "DELETE", "OPTIONS"]) } }),
  };
  const name = random.pick(Object.keys(variants));
  const made = variants[name]!();
  const shown = name === "grpc-timeout" || name === "content-type" ? `${name}: "${made.headers[name]}"` : name;
  return { path: method.path, family: "header", note: shown, headers: made.headers, body: made.body ?? body };
}

function methodCase(method: FuzzMethod, random: Random): Draft {
  const service = method.path.split("/")[1] ?? "x";
  const path = random.pick([
    "/x.Y/Z",
    `/${service}/NoSuchMethod`,
    method.path.toLowerCase(),
    `${method.path}/extra`,
    "/",
    "//",
    `/${service}`,
    `/${"a".repeat(4_000)}/B`,
    "/modelrouter.router.v1.RouterService/Infer%00",
  ]);
  return { path, family: "method", note: `unknown method ${path.slice(0, 80)}`, headers: BASE_HEADERS, body: grpcFrame(method.valid) };
}

function tunnelCase(method: FuzzMethod, random: Random): Draft {
  const carried = method.carried!;
  const call = (callId: bigint, init: OpenInit = {}): Uint8Array =>
    grpcFrame(openRequest({ callId, method: carried.path, message: carried.valid, timeoutMs: 10_000, ...init }));
  const variants: Record<string, () => Uint8Array> = {
    "carried call with a huge timeout": () => call(1n, { timeoutMs: random.pick([2 ** 31, 2 ** 32 - 1]) }),
    "carried call with a 1 ms timeout": () => call(1n, { timeoutMs: 1 }),
    "carried call to an unknown method": () => call(1n, { method: random.pick(["/x.Y/Z", "", "/grpc.health.v1.Health/Watch", TUNNEL_PATH]) }),
    "duplicate call ids": () => concatBytes(call(7n), call(7n), call(7n)),
    "cancel of an unknown call": () => concatBytes(grpcFrame(openRequest({ callId: 99n, cancel: true })), call(1n)),
    "many calls, one mutated": () => concatBytes(call(1n), call(2n, { message: mutateMessage(carried.valid, carried.fields, random).bytes }), call(3n)),
    "valid call then a garbled frame": () => concatBytes(call(1n), grpcFrame(random.bytes(12), { declaredLength: 3 })),
  };
  const name = random.pick(Object.keys(variants));
  return { path: method.path, family: "tunnel", note: `${name} (${carried.path})`, headers: BASE_HEADERS, body: variants[name]!() };
}

/**
 * The seeded corpus of raw gRPC cases: mutated messages, garbled frames, bad headers, unknown methods and
 * hostile tunnel streams, spread over the targets' methods; a few valid calls keep the figures honest.
 */
export function buildWireCorpus(targets: readonly CorpusTarget[], random: Random): RawGrpcCase[] {
  const cases: RawGrpcCase[] = [];
  for (const target of targets) {
    const tunnels = target.methods.filter((m) => m.carried !== undefined);
    for (let i = 0; i < target.cases; i++) {
      const roll = random.next();
      const method = pickWeighted(target.methods, random);
      let draft: Draft;
      if (roll < 0.55) draft = messageCase(method, random);
      else if (roll < 0.7) draft = frameCase(method, random);
      else if (roll < 0.85) draft = headerCase(method, random);
      else if (roll < 0.9) draft = methodCase(method, random);
      else if (roll < 0.96 && tunnels.length > 0) draft = tunnelCase(random.pick(tunnels), random);
      else draft = { path: method.path, family: "valid", note: "a valid call", headers: BASE_HEADERS, body: grpcFrame(method.valid) };
      cases.push({ ...draft, id: `${random.seed}:${cases.length}`, target: target.name, address: target.address, tunnel: draft.path === TUNNEL_PATH });
    }
  }
  return cases;
}
