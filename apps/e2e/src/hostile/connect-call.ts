import http from "node:http";
import type { CallOutcome, CallStatus } from "./call-outcome.js";
import { violationsOfBadRequest, type Violation } from "./status-details.js";

/** One request to the Connect/JSON edge, as raw HTTP/1.1. */
export interface ConnectCase {
  readonly id: string;
  /** e.g. `/modelrouter.router.v1.RouterService/Infer` */
  readonly path: string;
  readonly method: string;
  readonly family: string;
  readonly note: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** Connect's code names, by gRPC code number. */
const CONNECT_CODES = [
  "ok", "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found", "already_exists", "permission_denied",
  "resource_exhausted", "failed_precondition", "aborted", "out_of_range", "unimplemented", "internal", "unavailable", "data_loss", "unauthenticated",
];

interface ConnectErrorBody {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly details?: readonly { readonly type?: unknown; readonly value?: unknown }[];
}

function connectStatus(httpStatus: number, body: Buffer): CallStatus | undefined {
  if (httpStatus === 200) return { code: 0, message: "", violations: undefined };
  let parsed: ConnectErrorBody;
  try {
    parsed = JSON.parse(body.toString("utf8")) as ConnectErrorBody;
  } catch {
    return undefined;
  }
  const code = typeof parsed.code === "string" ? CONNECT_CODES.indexOf(parsed.code) : -1;
  if (code < 0) return undefined;
  let violations: Violation[] | undefined;
  for (const detail of parsed.details ?? []) {
    if (detail.type !== "google.rpc.BadRequest" || typeof detail.value !== "string") continue;
    try {
      violations = [...(violations ?? []), ...violationsOfBadRequest(Buffer.from(detail.value, "base64"))];
    } catch {
      // A detail that does not decode counts as none.
    }
  }
  return { code, message: typeof parsed.message === "string" ? parsed.message : "", violations };
}

/** Sends Connect cases one at a time per connection; `concurrency` keep-alive connections. */
export async function runConnectCases(baseUrl: string, cases: readonly ConnectCase[], concurrency: number, guardMs = 15_000): Promise<CallOutcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(baseUrl);
  const send = (entry: ConnectCase): Promise<CallOutcome> =>
    new Promise((resolve) => {
      const started = performance.now();
      const base = { caseId: entry.id, target: "router (Connect)", path: entry.path, family: entry.family, note: entry.note, innerStatuses: [], goaway: false, unsent: undefined };
      const request = http.request(
        { host: url.hostname, port: url.port, path: entry.path, method: entry.method, headers: { ...entry.headers, "content-length": String(entry.body.length) }, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("error", (error) => finish({ ...base, httpStatus: response.statusCode, status: undefined, reset: `response error: ${error.message}`, hung: false }));
          response.on("end", () => {
            const httpStatus = response.statusCode ?? 0;
            finish({ ...base, httpStatus, status: connectStatus(httpStatus, Buffer.concat(chunks)), reset: undefined, hung: false });
          });
        },
      );
      let done = false;
      const guard = setTimeout(() => {
        finish({ ...base, httpStatus: undefined, status: undefined, reset: undefined, hung: true });
        request.destroy();
      }, guardMs);
      const finish = (outcome: Omit<CallOutcome, "elapsedMs">): void => {
        if (done) return;
        done = true;
        clearTimeout(guard);
        resolve({ ...outcome, elapsedMs: performance.now() - started });
      };
      request.on("error", (error) => finish({ ...base, httpStatus: undefined, status: undefined, reset: `socket error: ${error.message}`, hung: false }));
      request.end(Buffer.from(entry.body.buffer, entry.body.byteOffset, entry.body.byteLength));
    });
  const outcomes = new Array<CallOutcome>(cases.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < cases.length; index = next++) outcomes[index] = await send(cases[index]!);
    }),
  );
  agent.destroy();
  return outcomes;
}
