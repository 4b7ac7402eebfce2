import * as grpc from "@grpc/grpc-js";

/** Serialisers that pass pre-encoded protobuf bytes through untouched, so that a call costs no encoding. */
const passthrough = (bytes: Buffer): Buffer => bytes;

/** The full gRPC path of `RouterService.Infer`, which the baselines serve too. */
export const INFER_PATH = "/modelrouter.router.v1.RouterService/Infer";

/** A unary call that resolves with the gRPC status code (0 = OK) and the answer's bytes (empty on error). */
export type RawUnaryCall = (request: Buffer, deadlineMs: number) => Promise<{ readonly code: number; readonly response: Buffer }>;

/** Options of {@link createRawClient}. */
export interface RawClientOptions {
  /** `host:port`. */
  readonly address: string;
  /** The method path, e.g. {@link INFER_PATH}. */
  readonly path: string;
  /** How many HTTP/2 connections to spread calls over (round robin). Default 1. */
  readonly connections?: number;
}

/** Raw grpc-js clients of one method, over one or more connections. */
export interface RawClient {
  readonly call: RawUnaryCall;
  /** Resolves once every connection is ready (or rejects after `timeoutMs`). */
  ready(timeoutMs: number): Promise<void>;
  close(): void;
}

/**
 * Creates raw grpc-js clients that send pre-encoded requests (Buffer passthrough serialisers): the cheapest
 * Node gRPC client, used by the load generator and by the fan-out baseline. Each connection has its own
 * subchannel pool so that `connections` really opens that many HTTP/2 connections; grpc-js's retries are off.
 */
export function createRawClient(options: RawClientOptions): RawClient {
  const count = options.connections ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`connections must be a positive integer, got ${count}`);
  const clients = Array.from(
    { length: count },
    (_, i) =>
      new grpc.Client(options.address, grpc.credentials.createInsecure(), {
        "grpc.use_local_subchannel_pool": 1,
        "grpc.enable_retries": 0,
        "grpc.enable_channelz": 0,
        "bench.connection": i,
      }),
  );
  let next = 0;
  const call: RawUnaryCall = (request, deadlineMs) =>
    new Promise((resolve) => {
      const client = clients[next]!;
      next = (next + 1) % clients.length;
      client.makeUnaryRequest(
        options.path,
        passthrough,
        passthrough,
        request,
        { deadline: Date.now() + deadlineMs },
        (error: grpc.ServiceError | null, response?: Buffer) => {
          if (error !== null) resolve({ code: error.code, response: Buffer.alloc(0) });
          else resolve({ code: grpc.status.OK, response: response ?? Buffer.alloc(0) });
        },
      );
    });
  return {
    call,
    async ready(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      await Promise.all(
        clients.map(
          (client) =>
            new Promise<void>((resolve, reject) => client.waitForReady(deadline, (error) => (error === undefined ? resolve() : reject(error)))),
        ),
      );
    },
    close() {
      for (const client of clients) client.close();
    },
  };
}

/** The name of a gRPC status code, e.g. 14 → "UNAVAILABLE". */
export function statusName(code: number): string {
  return grpc.status[code] ?? `CODE_${code}`;
}

/** Options of {@link startRawServer}. */
export interface RawServerOptions {
  /** `host:port`; port 0 picks a free one. */
  readonly address: string;
  readonly path: string;
  /** Answers one request (pre-encoded bytes in, pre-encoded bytes out). */
  readonly handle: (request: Buffer) => Buffer | Promise<Buffer>;
}

/** A running raw grpc-js server. */
export interface RawServer {
  readonly port: number;
  /** Stops accepting calls and waits for the running ones (forces after `graceMs`). */
  stop(graceMs: number): Promise<void>;
}

/**
 * Serves one unary method with grpc-js and Buffer passthrough serialisers: the bare server that the baselines
 * measure. A handler that throws answers INTERNAL.
 */
export async function startRawServer(options: RawServerOptions): Promise<RawServer> {
  const server = new grpc.Server({ "grpc.enable_channelz": 0 });
  const definition: grpc.ServiceDefinition = {
    Call: {
      path: options.path,
      requestStream: false,
      responseStream: false,
      requestSerialize: passthrough,
      requestDeserialize: passthrough,
      responseSerialize: passthrough,
      responseDeserialize: passthrough,
    },
  };
  const fail = (error: unknown): grpc.ServerErrorResponse => ({
    name: "Error",
    message: error instanceof Error ? error.message : String(error),
    code: grpc.status.INTERNAL,
  });
  const call: grpc.handleUnaryCall<Buffer, Buffer> = (unary, callback) => {
    let answer: Buffer | Promise<Buffer>;
    try {
      answer = options.handle(unary.request);
    } catch (error) {
      callback(fail(error));
      return;
    }
    if (Buffer.isBuffer(answer)) callback(null, answer);
    else void answer.then((bytes) => callback(null, bytes), (error: unknown) => callback(fail(error)));
  };
  server.addService(definition, { Call: call });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.address, grpc.ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
  );
  return {
    port,
    stop: (graceMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
