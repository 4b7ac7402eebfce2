import { create, toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { Violations } from "@modelrouter/errors";

/** The protobuf-encoded size of a message, in bytes. */
export function encodedSize<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): number {
  return toBinary(schema, message).length;
}

/**
 * Records at `path` that a resource is larger than `max` bytes encoded, naming its largest fields so that
 * the caller knows what to shrink. Returns the size.
 */
export function checkEncodedSize<Desc extends DescMessage>(
  v: Violations,
  path: string,
  schema: Desc,
  message: MessageShape<Desc>,
  max: number,
  what: string,
): number {
  const size = encodedSize(schema, message);
  if (size <= max) return size;
  const parts = largestFields(schema, message)
    .slice(0, 3)
    .map(({ field, bytes }) => `${path === "" ? field : `${path}.${field}`} (${bytes.toLocaleString("en-US")} bytes)`);
  v.add(
    path,
    `is ${size.toLocaleString("en-US")} bytes encoded; a ${what} may be at most ${max.toLocaleString("en-US")} ` +
      `(${max / 1024} KiB): shrink its largest parts, ${parts.join(", ")}`,
  );
  return size;
}

/** The top-level fields of a message (oneofs counted as one field) by encoded size, largest first. */
export function largestFields<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): { field: string; bytes: number }[] {
  const source = message as unknown as Record<string, unknown>;
  return schema.members
    .map((member) => {
      const alone = create(schema) as unknown as Record<string, unknown>;
      alone[member.localName] = source[member.localName];
      return { field: member.name, bytes: toBinary(schema, alone as unknown as MessageShape<Desc>).length };
    })
    .filter(({ bytes }) => bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}
