import { toBinary, create } from "@bufbuild/protobuf";
import { InferRequestSchema } from "@modelrouter/contracts";
import type { ConnectCase } from "./connect-call.js";
import { digitPayload, validInferInit } from "./fuzz-methods.js";
import { messageFields } from "./message-fields.js";
import { INVALID_UTF8, mutateMessage } from "./message-mutations.js";
import { concatBytes, utf8 } from "./protobuf-wire.js";
import type { Random } from "./seeded-random.js";

/** The router's Connect path of Infer. */
export const CONNECT_INFER_PATH = "/modelrouter.router.v1.RouterService/Infer";

const JSON_HEADERS: Readonly<Record<string, string>> = { "content-type": "application/json", "connect-protocol-version": "1" };

/** `connect-timeout-ms` values: garbage, zero, and ≥ 2^31 ms (the Connect syntax allows up to 10 digits). */
export const HOSTILE_CONNECT_TIMEOUTS = ["abc", "", "-1", "1.5", "1e3", "0", "2147483647", "2147483648", "4294967296", "9999999999", "99999999999"] as const;

/** Connect timeouts that are valid and longer than a 32-bit timer can wait. */
export const HUGE_CONNECT_TIMEOUTS = ["2147483648", "4294967296", "9999999999"] as const;

/** A valid Infer as Connect JSON, in the protobuf JSON mapping. */
export function validInferJson(): Record<string, unknown> {
  const payload = digitPayload();
  return { payload: { image: { data: Buffer.from(payload.kind.value.data).toString("base64"), mimeType: "image/png" } }, metadata: { image_type: "scan" }, tenant: "tenant-1" };
}

const nested = (depth: number, through: "array" | "object"): string => (through === "array" ? "[".repeat(depth) + "1" + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth));

function malformed(valid: string, random: Random): { note: string; body: string } {
  const variants: Record<string, () => string> = {
    truncated: () => valid.slice(0, random.int(valid.length)),
    "a character deleted": () => {
      const at = random.int(valid.length);
      return valid.slice(0, at) + valid.slice(at + 1);
    },
    "a character inserted": () => {
      const at = random.int(valid.length);
      return valid.slice(0, at) + random.pick(["{", "}", "[", "]", '"', ",", ":", "\\", "\u0000", "x"]) + valid.slice(at);
    },
    "trailing garbage": () => valid + random.pick(["}", " x", ",{}", "\u0000"]),
    "not an object": () => random.pick(["", "null", "[]", "1", '"text"', "true", "{", "}", "{,}", "NaN", "{'tenant':'a'}", "{tenant: 1}", '{"payload":}', "/* c */ {}"]),
    "byte order mark": () => "\ufeff" + valid,
    "duplicate keys": () => '{"tenant":"a","tenant":"b","payload":{"text":"hi"}}',
  };
  const name = random.pick(Object.keys(variants));
  return { note: `malformed JSON: ${name}`, body: variants[name]!() };
}

function deepJson(random: Random): { note: string; body: string } {
  const depth = random.pick([101, 128, 1_000, 100_000]);
  const through = random.pick(["array", "object"] as const);
  const where = random.pick(["payload.json", "an unknown field", "metadata"]);
  const value = nested(depth, through);
  const body = where === "payload.json" ? `{"payload":{"json":${value}}}` : where === "metadata" ? `{"metadata":${value},"payload":{"text":"hi"}}` : `{"zzz":${value},"payload":{"text":"hi"}}`;
  return { note: `JSON nested ${depth} deep (${through}) in ${where}`, body };
}

function wrongTypes(random: Random): { note: string; body: string } {
  const image = JSON.stringify(validInferJson().payload);
  const body = random.pick([
    '{"payload":5}',
    '{"payload":"x"}',
    '{"payload":[]}',
    '{"payload":{"text":5}}',
    '{"payload":{"image":{"data":123}}}',
    '{"payload":{"image":{"data":"!!! not base64 !!!"}}}',
    '{"payload":{"image":{"data":{}}}}',
    '{"payload":{"text":"a","image":{"data":"AA=="}}}',
    '{"payload":{"tensor":{"shape":[-1],"floatData":[1]}}}',
    '{"payload":{"tensor":{"shape":["a"]}}}',
    '{"payload":{"tensor":{"dataType":"NOPE","shape":[1]}}}',
    '{"payload":{"tensor":{"dataType":99,"shape":[1]}}}',
    '{"payload":{"tensor":{"shape":[1],"intData":[1.5]}}}',
    `{"metadata":[1],"payload":${image}}`,
    `{"metadata":{"a":1},"payload":${image}}`,
    `{"metadata":{"a":null},"payload":${image}}`,
    `{"metadata":"x","payload":${image}}`,
    `{"tenant":7,"payload":${image}}`,
    `{"tenant":{},"payload":${image}}`,
    `{"requestId":["x"],"payload":${image}}`,
    `{"unknownField":1,"payload":${image}}`,
    '{"payload":{"json":null}}',
    '{"payload":{"audio":{"data":"UklGRg=="}}}',
  ]);
  return { note: `wrong type: ${body.slice(0, 70)}`, body };
}

function hugeNumbers(random: Random): { note: string; body: string } {
  const body = random.pick([
    '{"payload":{"json":1e999}}',
    '{"payload":{"json":-1e999}}',
    '{"payload":{"json":{"a":123456789012345678901234567890}}}',
    '{"payload":{"tensor":{"shape":[1e30],"floatData":[1]}}}',
    '{"payload":{"tensor":{"shape":[4294967296],"floatData":[1]}}}',
    '{"payload":{"tensor":{"shape":[65536,65536],"floatData":[1]}}}',
    '{"payload":{"tensor":{"dataType":"DATA_TYPE_INT64","shape":[1],"intData":["99999999999999999999999"]}}}',
    '{"payload":{"tensor":{"dataType":"DATA_TYPE_FLOAT64","shape":[1],"floatData":[1e999]}}}',
    '{"payload":{"tensor":{"dataType":"DATA_TYPE_FLOAT32","shape":[1],"floatData":["NaN"]}}}',
    '{"payload":{"tensor":{"dataType":"DATA_TYPE_FLOAT32","shape":[1],"floatData":["Infinity"]}}}',
  ]);
  return { note: `huge number: ${body.slice(0, 70)}`, body };
}

function invalidUtf8(random: Random): { note: string; body: Uint8Array } {
  const bad = Uint8Array.from(random.pick(INVALID_UTF8));
  const where = random.pick(["tenant", "metadata key", "metadata value", "payload.text", "requestId", "a key"]);
  const image = utf8(JSON.stringify(validInferJson().payload));
  const parts: Record<string, () => Uint8Array> = {
    tenant: () => concatBytes(utf8('{"tenant":"t'), bad, utf8('","payload":'), image, utf8("}")),
    "metadata key": () => concatBytes(utf8('{"metadata":{"k'), bad, utf8('":"v"},"payload":'), image, utf8("}")),
    "metadata value": () => concatBytes(utf8('{"metadata":{"image_type":"'), bad, utf8('"},"payload":'), image, utf8("}")),
    "payload.text": () => concatBytes(utf8('{"payload":{"text":"bonjour '), bad, utf8('"}}')),
    requestId: () => concatBytes(utf8('{"requestId":"r'), bad, utf8('","payload":'), image, utf8("}")),
    "a key": () => concatBytes(utf8('{"'), bad, utf8('":1,"payload":'), image, utf8("}")),
  };
  return { note: `invalid UTF-8 in ${where}`, body: parts[where]!() };
}

/**
 * The seeded corpus for the router's Connect/JSON edge: malformed JSON, JSON nested deeper than 100, invalid
 * UTF-8, wrong types, huge numbers, hostile `connect-timeout-ms` values, wrong content types and encodings, and
 * mutated binary (`application/proto`) messages.
 */
export function buildConnectCorpus(count: number, random: Random): ConnectCase[] {
  const valid = JSON.stringify(validInferJson());
  const validBinary = toBinary(InferRequestSchema, create(InferRequestSchema, validInferInit()));
  const fields = messageFields(InferRequestSchema);
  const cases: ConnectCase[] = [];
  for (let i = 0; i < count; i++) {
    const roll = random.next();
    let draft: Omit<ConnectCase, "id" | "path" | "method"> & { path?: string; method?: string };
    if (roll < 0.2) {
      const made = malformed(valid, random);
      draft = { family: "malformed-json", note: made.note, headers: JSON_HEADERS, body: utf8(made.body) };
    } else if (roll < 0.32) {
      const made = deepJson(random);
      draft = { family: "deep-json", note: made.note, headers: JSON_HEADERS, body: utf8(made.body) };
    } else if (roll < 0.44) {
      const made = invalidUtf8(random);
      draft = { family: "invalid-utf8", note: made.note, headers: JSON_HEADERS, body: made.body };
    } else if (roll < 0.56) {
      const made = wrongTypes(random);
      draft = { family: "wrong-type", note: made.note, headers: JSON_HEADERS, body: utf8(made.body) };
    } else if (roll < 0.64) {
      const made = hugeNumbers(random);
      draft = { family: "huge-number", note: made.note, headers: JSON_HEADERS, body: utf8(made.body) };
    } else if (roll < 0.72) {
      const timeout = random.pick(HOSTILE_CONNECT_TIMEOUTS);
      draft = { family: "timeout", note: `connect-timeout-ms: "${timeout}"`, headers: { ...JSON_HEADERS, "connect-timeout-ms": timeout }, body: utf8(valid) };
    } else if (roll < 0.8) {
      const variant = random.pick([
        { note: "content-type text/plain", headers: { ...JSON_HEADERS, "content-type": "text/plain" }, body: utf8(valid) },
        { note: "content-type application/json; charset=latin1", headers: { ...JSON_HEADERS, "content-type": "application/json; charset=latin1" }, body: utf8(valid) },
        { note: "JSON sent as application/proto", headers: { ...JSON_HEADERS, "content-type": "application/proto" }, body: utf8(valid) },
        { note: "content-encoding gzip, body not gzip", headers: { ...JSON_HEADERS, "content-encoding": "gzip" }, body: utf8(valid) },
        { note: "unknown content-encoding", headers: { ...JSON_HEADERS, "content-encoding": "bogus" }, body: utf8(valid) },
        { note: "connect-protocol-version 2", headers: { ...JSON_HEADERS, "connect-protocol-version": "2" }, body: utf8(valid) },
        { note: "GET of a POST-only method", headers: JSON_HEADERS, body: new Uint8Array(0), method: "GET" },
        { note: "PUT", headers: JSON_HEADERS, body: utf8(valid), method: "PUT" },
        { note: "unknown method", headers: JSON_HEADERS, body: utf8(valid), path: "/modelrouter.router.v1.RouterService/Nope" },
        { note: "unknown service", headers: JSON_HEADERS, body: utf8(valid), path: "/x.Y/Z" },
      ]);
      draft = { family: "protocol", ...variant };
    } else if (roll < 0.95) {
      const mutation = mutateMessage(validBinary, fields, random);
      draft = { family: "binary-message", note: `application/proto: ${mutation.kind}`, headers: { ...JSON_HEADERS, "content-type": "application/proto" }, body: mutation.bytes };
    } else {
      draft = { family: "valid", note: "a valid call", headers: JSON_HEADERS, body: utf8(valid) };
    }
    cases.push({ path: CONNECT_INFER_PATH, method: "POST", ...draft, id: `${random.seed}:c${i}` });
  }
  return cases;
}
