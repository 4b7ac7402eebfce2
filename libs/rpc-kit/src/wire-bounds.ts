import { RpcError } from "./rpc-error.js";

/** How much of an error a status may carry on the wire: it ends up in HTTP/2 trailers, which peers cap. */
const LIMITS = { message: 1024, violations: 64, field: 256, description: 512, metadataEntries: 32, metadataValue: 256 } as const;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The error as it may be sent: its message, field violations and metadata clipped to sizes that always fit in
 * trailers. An error that echoes what a client sent (a 60 KB service name, say) would otherwise make trailers
 * no peer accepts, and the call would never end. The error is returned unchanged when it fits.
 */
export function boundedForWire(error: RpcError): RpcError {
  const metadata = Object.entries(error.metadata);
  const fits =
    error.message.length <= LIMITS.message &&
    error.violations.length <= LIMITS.violations &&
    error.violations.every((v) => v.field.length <= LIMITS.field && v.description.length <= LIMITS.description) &&
    metadata.length <= LIMITS.metadataEntries &&
    metadata.every(([key, value]) => key.length <= LIMITS.field && value.length <= LIMITS.metadataValue);
  if (fits) return error;
  const violations = error.violations
    .slice(0, LIMITS.violations)
    .map((v) => ({ field: clip(v.field, LIMITS.field), description: clip(v.description, LIMITS.description) }));
  if (error.violations.length > LIMITS.violations) {
    violations.push({ field: "(more)", description: `and ${error.violations.length - LIMITS.violations} more problems` });
  }
  return new RpcError({
    code: error.code,
    message: clip(error.message, LIMITS.message),
    reason: error.reason,
    domain: error.domain,
    metadata: Object.fromEntries(metadata.slice(0, LIMITS.metadataEntries).map(([k, v]) => [clip(k, LIMITS.field), clip(v, LIMITS.metadataValue)])),
    violations,
    cause: error,
  });
}
