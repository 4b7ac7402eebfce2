import {
  create,
  fromBinary,
  isMessage,
  toBinary,
  type DescMessage,
  type DescMethod,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";

/** Everything the kit needs about one RPC method, computed once per service. */
export interface MethodSpec {
  readonly service: DescService;
  readonly method: DescMethod;
  /** `/package.Service/Method` */
  readonly path: string;
  /** `package.Service/Method`: the span name (RPC semantic conventions). */
  readonly spanName: string;
  readonly kind: DescMethod["methodKind"];
  readonly localName: string;
  readonly serialize: (message: MessageShape<DescMessage>) => Buffer;
  readonly deserialize: (bytes: Buffer) => MessageShape<DescMessage>;
  readonly serializeResponse: (message: MessageShape<DescMessage>) => Buffer;
  readonly deserializeResponse: (bytes: Buffer) => MessageShape<DescMessage>;
  /** The request as a message of the input schema (init objects are completed; messages pass through). */
  readonly toRequest: (init: MessageInitShape<DescMessage>) => MessageShape<DescMessage>;
}

/** The method specs of a service, in declaration order. */
export function methodSpecs(service: DescService): readonly MethodSpec[] {
  return service.methods.map((method) => {
    const input = method.input;
    const output = method.output;
    return {
      service,
      method,
      path: `/${service.typeName}/${method.name}`,
      spanName: `${service.typeName}/${method.name}`,
      kind: method.methodKind,
      localName: method.localName,
      serialize: (message) => asBuffer(toBinary(input, message)),
      deserialize: (bytes) => fromBinary(input, bytes),
      serializeResponse: (message) => asBuffer(toBinary(output, message)),
      deserializeResponse: (bytes) => fromBinary(output, bytes),
      toRequest: (init) => (isMessage(init, input) ? init : create(input, init)),
    };
  });
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
