import { create, toBinary, type DescFile, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { reflectionV1, reflectionV1alpha } from "@modelrouter/contracts/reflection";
import { Code } from "./code.js";
import type { ServiceImpl } from "./service-types.js";

/** The descriptors a server can describe: its services' files and everything they import. */
class DescriptorIndex {
  readonly #files = new Map<string, DescFile>();
  readonly #symbols = new Map<string, DescFile>();
  readonly serviceNames: readonly string[];

  constructor(services: readonly DescService[]) {
    for (const service of services) this.#addFile(service.file);
    this.serviceNames = services.map((s) => s.typeName);
  }

  fileByName(name: string): DescFile | undefined {
    return this.#files.get(name);
  }

  fileContainingSymbol(symbol: string): DescFile | undefined {
    return this.#symbols.get(symbol);
  }

  /** The file's encoded descriptor followed by those of its transitive imports, each once. */
  encodeWithDependencies(file: DescFile): Uint8Array[] {
    const seen = new Set<string>();
    const out: Uint8Array[] = [];
    const visit = (f: DescFile): void => {
      if (seen.has(f.proto.name)) return;
      seen.add(f.proto.name);
      out.push(toBinary(FileDescriptorProtoSchema, f.proto));
      for (const dep of f.dependencies) visit(dep);
    };
    visit(file);
    return out;
  }

  #addFile(file: DescFile): void {
    if (this.#files.has(file.proto.name)) return;
    this.#files.set(file.proto.name, file);
    for (const service of file.services) {
      this.#symbols.set(service.typeName, file);
      for (const method of service.methods) this.#symbols.set(`${service.typeName}.${method.name}`, file);
    }
    const addMessage = (message: DescMessage): void => {
      this.#symbols.set(message.typeName, file);
      for (const nested of message.nestedMessages) addMessage(nested);
      for (const nested of message.nestedEnums) this.#symbols.set(nested.typeName, file);
    };
    for (const message of file.messages) addMessage(message);
    for (const e of file.enums) this.#symbols.set(e.typeName, file);
    for (const dep of file.dependencies) this.#addFile(dep);
  }
}

type ReflectionRequest = reflectionV1.ServerReflectionRequest | reflectionV1alpha.ServerReflectionRequest;

/** The answer to one reflection request, as the init shape shared by both protocol versions. */
function answer(index: DescriptorIndex, request: ReflectionRequest) {
  const base = { validHost: request.host };
  const files = (file: DescFile | undefined, what: string) =>
    file === undefined
      ? {
          ...base,
          messageResponse: {
            case: "errorResponse" as const,
            value: { errorCode: Code.NOT_FOUND, errorMessage: `${what} not found` },
          },
        }
      : {
          ...base,
          messageResponse: {
            case: "fileDescriptorResponse" as const,
            value: { fileDescriptorProto: index.encodeWithDependencies(file) },
          },
        };
  const r = request.messageRequest;
  switch (r.case) {
    case "listServices":
      return {
        ...base,
        messageResponse: {
          case: "listServicesResponse" as const,
          value: { service: index.serviceNames.map((name) => ({ name })) },
        },
      };
    case "fileByFilename":
      return files(index.fileByName(r.value), `file "${r.value}"`);
    case "fileContainingSymbol":
      return files(index.fileContainingSymbol(r.value), `symbol "${r.value}"`);
    case "fileContainingExtension":
    case "allExtensionNumbersOfType":
      return {
        ...base,
        messageResponse: {
          case: "errorResponse" as const,
          value: { errorCode: Code.UNIMPLEMENTED, errorMessage: "extensions are not supported" },
        },
      };
    default:
      return {
        ...base,
        messageResponse: {
          case: "errorResponse" as const,
          value: { errorCode: Code.INVALID_ARGUMENT, errorMessage: "empty reflection request" },
        },
      };
  }
}

/**
 * gRPC server reflection (v1 and v1alpha) for the given services, so that `grpcurl` and other tools work
 * without proto files. The reflection services list themselves too.
 */
export function createReflectionImpls(services: readonly DescService[]): {
  readonly v1: ServiceImpl<typeof reflectionV1.ServerReflection>;
  readonly v1alpha: ServiceImpl<typeof reflectionV1alpha.ServerReflection>;
} {
  const index = new DescriptorIndex([
    ...services,
    reflectionV1.ServerReflection,
    reflectionV1alpha.ServerReflection,
  ]);
  return {
    v1: {
      async *serverReflectionInfo(requests) {
        for await (const request of requests) {
          yield create(reflectionV1.ServerReflectionResponseSchema, { ...answer(index, request), originalRequest: request });
        }
      },
    },
    v1alpha: {
      async *serverReflectionInfo(requests) {
        for await (const request of requests) {
          yield create(reflectionV1alpha.ServerReflectionResponseSchema, {
            ...answer(index, request),
            originalRequest: request,
          });
        }
      },
    },
  };
}
