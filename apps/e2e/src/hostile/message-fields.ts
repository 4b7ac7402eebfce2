import { ScalarType, type DescMessage } from "@bufbuild/protobuf";

/** Where a string sits in a message, as field numbers from the top: a plain string, or the key or value of a map entry. */
export interface StringPath {
  readonly path: readonly number[];
  /** The last number is a map entry's value (2): its entry needs a key too. */
  readonly mapValue: boolean;
  /** For people, e.g. `payload.image.mime_type`. */
  readonly name: string;
}

/** The places in a request message where a client can put hostile content. */
export interface MessageFields {
  readonly strings: readonly StringPath[];
  /** Paths to `modelrouter.type.v1.Payload` fields (their `json` is a `google.protobuf.Value`). */
  readonly payloads: readonly (readonly number[])[];
}

const PAYLOAD = "modelrouter.type.v1.Payload";

/**
 * Walks a message type (up to `depth` levels, not into google.protobuf types) and lists its string fields,
 * map keys and values, and payload fields, by wire path.
 */
export function messageFields(schema: DescMessage, depth = 3): MessageFields {
  const strings: StringPath[] = [];
  const payloads: number[][] = [];
  const walk = (message: DescMessage, prefix: number[], names: string[], level: number, seen: ReadonlySet<string>): void => {
    for (const field of message.fields) {
      const path = [...prefix, field.number];
      const name = [...names, field.name].join(".");
      switch (field.fieldKind) {
        case "scalar":
          if (field.scalar === ScalarType.STRING) strings.push({ path, mapValue: false, name });
          break;
        case "list":
          if (field.listKind === "scalar" && field.scalar === ScalarType.STRING) strings.push({ path, mapValue: false, name });
          if (field.listKind === "message" && level < depth && !field.message.typeName.startsWith("google.") && !seen.has(field.message.typeName)) {
            walk(field.message, path, [...names, field.name], level + 1, new Set([...seen, field.message.typeName]));
          }
          break;
        case "map":
          if (field.mapKey === ScalarType.STRING) strings.push({ path: [...path, 1], mapValue: false, name: `${name}[key]` });
          if (field.mapKind === "scalar" && field.scalar === ScalarType.STRING) strings.push({ path: [...path, 2], mapValue: true, name: `${name}[value]` });
          break;
        case "message":
          if (field.message.typeName === PAYLOAD) payloads.push(path);
          if (level < depth && !field.message.typeName.startsWith("google.") && !seen.has(field.message.typeName)) {
            walk(field.message, path, [...names, field.name], level + 1, new Set([...seen, field.message.typeName]));
          }
          break;
        case "enum":
          break;
      }
    }
  };
  walk(schema, [], [], 1, new Set([schema.typeName]));
  return { strings, payloads };
}
