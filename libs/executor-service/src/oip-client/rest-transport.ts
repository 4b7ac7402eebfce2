import * as http from "node:http";
import * as https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { Code } from "@modelrouter/rpc-kit";
import type { EndpointConnector } from "./endpoint-connection.js";
import type { EndpointUrl } from "./endpoint-url.js";
import { httpError, oipError, quoteRemote } from "./oip-errors.js";
import { decodeInferResponse, encodeInferRequest, readMetadata } from "./rest-tensors.js";
import type { OipCall, OipInferRequest, OipModelMetadata, OipTensor, OipTransport } from "./oip-types.js";

/** Options of {@link createRestTransport}. */
export interface RestTransportOptions {
  readonly endpoint: EndpointUrl;
  readonly connector: EndpointConnector;
  /** The most bytes of an answer (default 64 MiB); a larger one fails the call. */
  readonly maxResponseBytes?: number;
  /** Ask for the output and send the input as binary tensor data (the binary tensor extension). */
  readonly binaryData: boolean;
}

interface HttpAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * OIP v2 over REST: `GET {base}/v2/models/{m}[/versions/{v}]/ready`, `GET {base}/v2/models/{m}[…]` and
 * `POST {base}/v2/models/{m}[…]/infer`, through one keep-alive agent, connecting to the pinned addresses of the
 * endpoint (the host name stays in the Host header and the TLS server name). The call's deadline aborts the
 * request; a connection refused, or reset before the request was written, may be retried on another endpoint,
 * never a failure once the answer started.
 */
export function createRestTransport(options: RestTransportOptions): OipTransport {
  const { endpoint, connector } = options;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const url = endpoint.url.href;
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  const agent = endpoint.tls ? new https.Agent(agentOptions) : new http.Agent(agentOptions);

  const modelPath = (model: string, version: string): string =>
    `${endpoint.basePath}/v2/models/${encodeURIComponent(model)}${version === "" ? "" : `/versions/${encodeURIComponent(version)}`}`;

  const send = async (method: string, path: string, call: OipCall, body?: { bytes: Uint8Array; headers: Record<string, string> }): Promise<HttpAnswer> => {
    const remaining = call.deadline - Date.now();
    if (remaining <= 0) throw oipError(Code.DEADLINE_EXCEEDED, url, "the deadline passed before the call");
    if (call.signal.aborted) throw oipError(Code.CANCELLED, url, "the call was cancelled");
    let connection;
    try {
      connection = await connector.connection();
    } catch (error) {
      throw oipError(Code.UNAVAILABLE, url, `cannot connect: ${error instanceof Error ? error.message : String(error)}`, { retry: true, cause: error });
    }
    const address = connection.addresses[0] ?? endpoint.host;
    const headers: Record<string, string> = { accept: "application/json", ...body?.headers };
    if (connection.credential !== undefined) headers.authorization = `Bearer ${connection.credential}`;
    return new Promise<HttpAnswer>((resolve, reject) => {
      let written = false;
      let answered = false;
      const timer = Number.isFinite(remaining) ? setTimeout(() => fail(oipError(Code.DEADLINE_EXCEEDED, url, "no answer before the deadline")), remaining) : undefined;
      const onAbort = (): void => fail(oipError(Code.CANCELLED, url, "the call was cancelled"));
      call.signal.addEventListener("abort", onAbort, { once: true });
      const done = (): void => {
        clearTimeout(timer);
        call.signal.removeEventListener("abort", onAbort);
      };
      const fail = (error: Error): void => {
        done();
        request.destroy();
        reject(error);
      };
      const request = (endpoint.tls ? https : http).request({
        agent,
        method,
        host: endpoint.host,
        port: endpoint.port,
        path,
        headers,
        servername: isIP(endpoint.host) === 0 ? endpoint.host : undefined,
        lookup: pinnedLookup(address),
      });
      request.on("finish", () => {
        written = true;
      });
      request.on("error", (error: NodeJS.ErrnoException) => {
        done();
        const refused = error.code === "ECONNREFUSED" || (!written && !answered);
        if (refused) connector.forget();
        reject(oipError(Code.UNAVAILABLE, url, answered ? "the connection closed during the answer" : `the connection failed (${error.code ?? error.message})`, { retry: refused && !answered, cause: error }));
      });
      request.on("response", (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) fail(oipError(Code.RESOURCE_EXHAUSTED, url, `the answer is larger than ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        response.on("aborted", () => fail(oipError(Code.UNAVAILABLE, url, "the connection closed during the answer")));
        response.on("error", (error) => fail(oipError(Code.UNAVAILABLE, url, "the connection closed during the answer", { cause: error })));
        response.on("end", () => {
          done();
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
        });
      });
      request.end(body === undefined ? undefined : Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength));
    });
  };

  const json = (answer: HttpAnswer): unknown => {
    if (answer.status < 200 || answer.status >= 300) throw httpError(url, answer.status, answer.body.toString("utf8"));
    try {
      return JSON.parse(answer.body.toString("utf8")) as unknown;
    } catch {
      throw oipError(Code.INTERNAL, url, `answered HTTP ${answer.status} with a body that is not JSON: ${quoteRemote(answer.body.toString("utf8"))}`);
    }
  };

  return {
    url,
    async modelReady(model, version, call) {
      const answer = await send("GET", `${modelPath(model, version)}/ready`, call);
      if (answer.status === 400 || answer.status === 503) return false;
      if (answer.status === 200 && answer.body.byteLength === 0) return true;
      const body = json(answer) as { ready?: unknown } | null;
      return body?.ready !== false;
    },
    async modelMetadata(model, version, call): Promise<OipModelMetadata> {
      return readMetadata(json(await send("GET", modelPath(model, version), call)), url);
    },
    async infer(request: OipInferRequest, call): Promise<OipTensor> {
      const encoded = encodeInferRequest(request, options.binaryData);
      const answer = await send("POST", `${modelPath(request.model, request.version)}/infer`, call, encoded);
      if (answer.status < 200 || answer.status >= 300) throw httpError(url, answer.status, answer.body.toString("utf8"));
      return decodeInferResponse(answer.body, answer.headers["inference-header-content-length"], request.outputName, url);
    },
    close() {
      agent.destroy();
    },
  };
}

/** A `lookup` that answers every host name with `address`: the connection goes where the egress check said. */
export function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address) === 6 ? 6 : 4;
  return ((_host: string, options: { all?: boolean }, callback: (error: null, address: unknown, family?: number) => void) => {
    if (options.all === true) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}
