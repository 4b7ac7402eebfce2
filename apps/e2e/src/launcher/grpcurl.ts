import { connect, constants } from "node:http2";
import { create, fromBinary, fromJson, toBinary, toJson, type DescMethod, type JsonValue } from "@bufbuild/protobuf";
import { Health, RegistryService, RouterService } from "@modelrouter/contracts";
import { reflectionV1 } from "@modelrouter/contracts/reflection";
import { grpcFrame, readGrpcFrames } from "../hostile/grpc-frame.js";

/** What a grpcurl invocation got: the gRPC status, its message, and the answers as JSON. */
export interface GrpcurlResult {
  readonly status: number | undefined;
  readonly message: string;
  readonly answers: readonly JsonValue[];
}

/** A grpcurl command line (its arguments after `grpcurl`), as this emulation understands it. */
export interface GrpcurlCommand {
  readonly address: string;
  /** `list`, or `list SERVICE`, or a method as `package.Service/Method`. */
  readonly verb: "list" | "call";
  readonly method: string | undefined;
  readonly data: string | undefined;
}

/** Parses `-plaintext [-d DATA] ADDRESS (list | SERVICE/METHOD)`; throws on anything else. */
export function parseGrpcurl(args: readonly string[]): GrpcurlCommand {
  const rest = [...args];
  if (rest.shift() !== "-plaintext") throw new Error(`grpcurl ${args.join(" ")}: expected -plaintext first`);
  let data: string | undefined;
  if (rest[0] === "-d") {
    rest.shift();
    data = rest.shift();
  }
  const [address, what, ...extra] = rest;
  if (address === undefined || what === undefined) throw new Error(`grpcurl ${args.join(" ")}: expected an address and a verb`);
  if (what === "list") return { address, verb: "list", method: extra[0], data };
  if (extra.length > 0) throw new Error(`grpcurl ${args.join(" ")}: unexpected ${extra.join(" ")}`);
  return { address, verb: "call", method: what, data };
}

/**
 * One gRPC call over plain HTTP/2 as grpcurl makes it: the request written and the stream half-closed at once,
 * then every answer and the status read until the server ends the stream (or `timeoutMs` passes: a server that
 * never ends it is what made grpcurl hang).
 */
function rawCall(address: string, path: string, body: Uint8Array, timeoutMs: number): Promise<{ status: number | undefined; message: string; messages: Uint8Array[] }> {
  return new Promise((resolve) => {
    const session = connect(`http://${address}`);
    session.on("error", () => undefined);
    const stream = session.request({
      [constants.HTTP2_HEADER_METHOD]: "POST",
      [constants.HTTP2_HEADER_PATH]: path,
      "content-type": "application/grpc",
      te: "trailers",
      "grpc-timeout": `${timeoutMs * 2}m`,
    });
    const chunks: Buffer[] = [];
    let headers: Record<string, unknown> = {};
    const timer = setTimeout(() => stream.close(constants.NGHTTP2_CANCEL), timeoutMs);
    stream.on("response", (h) => (headers = { ...headers, ...h }));
    stream.on("trailers", (t) => (headers = { ...headers, ...t }));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("error", () => undefined);
    stream.on("close", () => {
      clearTimeout(timer);
      session.close();
      const status = headers["grpc-status"];
      resolve({
        status: status === undefined ? undefined : Number(status),
        message: decodeURIComponent(String(headers["grpc-message"] ?? "")),
        messages: readGrpcFrames(Buffer.concat(chunks)).messages,
      });
    });
    stream.end(grpcFrame(body));
  });
}

const METHODS: ReadonlyMap<string, DescMethod> = new Map(
  [RouterService, RegistryService, Health].flatMap((service) => service.methods.map((method) => [`${service.typeName}/${method.name}`, method] as const)),
);

/**
 * Does what grpcurl does for `list` (server reflection: list the services, half-close, wait for the status) and for
 * a unary call of the router's, registry's or health API (the JSON request encoded with the contracts' schemas).
 */
export async function grpcurl(command: GrpcurlCommand, timeoutMs = 15_000): Promise<GrpcurlResult> {
  if (command.verb === "list") {
    const request = create(reflectionV1.ServerReflectionRequestSchema, { messageRequest: { case: "listServices", value: "" } });
    const path = `/${reflectionV1.ServerReflection.typeName}/ServerReflectionInfo`;
    const { status, message, messages } = await rawCall(command.address, path, toBinary(reflectionV1.ServerReflectionRequestSchema, request), timeoutMs);
    const answers = messages.map((m) => toJson(reflectionV1.ServerReflectionResponseSchema, fromBinary(reflectionV1.ServerReflectionResponseSchema, m)));
    return { status, message, answers };
  }
  const method = METHODS.get(command.method ?? "");
  if (method === undefined || method.methodKind !== "unary") throw new Error(`grpcurl emulation: no unary method ${command.method}`);
  const input = fromJson(method.input, JSON.parse(command.data ?? "{}") as JsonValue);
  const { status, message, messages } = await rawCall(command.address, `/${command.method}`, toBinary(method.input, input), timeoutMs);
  return { status, message, answers: messages.map((m) => toJson(method.output, fromBinary(method.output, m))) };
}

/** The services a reflection `list` answer names. */
export function listedServices(result: GrpcurlResult): string[] {
  return result.answers.flatMap((answer) => {
    const services = (answer as { listServicesResponse?: { service?: { name: string }[] } }).listServicesResponse?.service ?? [];
    return services.map((s) => s.name);
  });
}
