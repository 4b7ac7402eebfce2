import { createServer, type Server } from "node:http";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { ConnectError, type Code as ConnectCode, type ConnectRouter, type HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter, type ConnectNodeAdapterOptions } from "@connectrpc/connect-node";
import type { Context, TextMapGetter } from "@opentelemetry/api";
import { BadRequestSchema, ErrorInfoSchema } from "@modelrouter/contracts";
import type { CallContext } from "./call-context.js";
import { Code } from "./code.js";
import { toRpcError, type UnexpectedErrorListener } from "./error-table.js";
import { methodSpecs, type MethodSpec } from "./method-spec.js";
import type { RpcError } from "./rpc-error.js";
import type { ServiceRegistration } from "./service-types.js";
import { activeContextFor, endRpcSpan, extractContext, runInContext, startServerSpan } from "./tracing.js";

/** Options of {@link createConnectEdge}. */
export interface ConnectEdgeOptions {
  readonly services: readonly ServiceRegistration[];
  readonly onUnexpectedError?: UnexpectedErrorListener;
  /** The largest request body accepted, in bytes. Default 8 MiB. */
  readonly maxBodyBytes?: number;
}

/** An HTTP/1.1 server speaking the Connect protocol (JSON or binary), gRPC-Web and gRPC, for `curl` and browsers. */
export interface ConnectEdge {
  /** Binds and returns the bound port (0 picks a free one). */
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

const headersGetter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
};

class ConnectCallContext implements CallContext {
  readonly transport = "connect" as const;
  readonly deadline: number;

  constructor(
    readonly method: string,
    private readonly context: HandlerContext,
    readonly traceContext: Context,
  ) {
    const timeout = context.timeoutMs();
    this.deadline = timeout === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeout;
  }

  get signal(): AbortSignal {
    return this.context.signal;
  }

  header(key: string): string | undefined {
    return this.context.requestHeader.get(key) ?? undefined;
  }
}

function toConnectError(error: RpcError): ConnectError {
  const details = [];
  if (error.reason !== undefined) {
    details.push({
      desc: ErrorInfoSchema,
      value: { reason: error.reason, domain: error.domain ?? "", metadata: { ...error.metadata } },
    });
  }
  if (error.violations.length > 0) {
    details.push({
      desc: BadRequestSchema,
      value: { fieldViolations: error.violations.map((v) => ({ field: v.field, description: v.description })) },
    });
  }
  return new ConnectError(error.message, error.code as number as ConnectCode, undefined, details);
}

function adaptUnary(spec: MethodSpec, fn: (req: unknown, ctx: CallContext) => Promise<MessageShape<DescMessage>>, onUnexpected: UnexpectedErrorListener | undefined) {
  return async (request: unknown, handlerContext: HandlerContext): Promise<MessageShape<DescMessage>> => {
    const parent = extractContext(handlerContext.requestHeader, headersGetter);
    const system = handlerContext.protocolName === "connect" ? "connect_rpc" : "grpc";
    const span = startServerSpan(spec, system, parent);
    const ctx = new ConnectCallContext(spec.path, handlerContext, activeContextFor(span, parent));
    try {
      const response = await runInContext(ctx.traceContext, fn, request, ctx);
      endRpcSpan(span, Code.OK);
      return response;
    } catch (error) {
      const rpcError = toRpcError(error, onUnexpected);
      endRpcSpan(span, rpcError.code, rpcError.message);
      throw toConnectError(rpcError);
    }
  };
}

const notFound: NonNullable<ConnectNodeAdapterOptions["fallback"]> = (_req, res) => {
  res.writeHead(404, { "content-type": "application/json" });
  res.end(
    JSON.stringify({
      code: "not_found",
      message: "no such RPC; POST to /<package>.<Service>/<Method>, e.g. /modelrouter.router.v1.RouterService/Infer",
    }),
  );
};

/**
 * Serves the unary methods of the given services over Connect (JSON and binary), gRPC-Web and gRPC on
 * HTTP/1.1, with the same handlers, tracing and error details as the gRPC server. This is the router's
 * `curl` endpoint; internal hops stay on grpc-js, which costs a fraction of Connect's CPU per call.
 */
export function createConnectEdge(options: ConnectEdgeOptions): ConnectEdge {
  const routes = (router: ConnectRouter): void => {
    for (const { service, impl } of options.services) {
      const adapted: Record<string, unknown> = {};
      for (const spec of methodSpecs(service)) {
        if (spec.kind !== "unary") continue;
        const fn = impl[spec.localName] as (req: unknown, ctx: CallContext) => Promise<MessageShape<DescMessage>>;
        adapted[spec.localName] = adaptUnary(spec, fn, options.onUnexpectedError);
      }
      router.service(service, adapted as Parameters<ConnectRouter["service"]>[1]);
    }
  };
  const handler = connectNodeAdapter({
    routes,
    fallback: notFound,
    readMaxBytes: options.maxBodyBytes ?? 8 * 1024 * 1024,
  });
  let server: Server | undefined;
  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        const s = createServer(handler);
        server = s;
        s.once("error", reject);
        s.listen(port, host, () => {
          const address = s.address();
          resolve(typeof address === "object" && address !== null ? address.port : port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (server === undefined) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
