import { createHash, timingSafeEqual } from "node:crypto";

/** The header naming the calling modelrouter service. */
export const SERVICE_HEADER = "x-modelrouter-service";
/** The header carrying the deployment's internal token. */
export const SERVICE_TOKEN_HEADER = "x-modelrouter-service-token";

/** A service name: lower-case letters, digits and '-', starting with a letter, at most 63 characters. */
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * The two headers a modelrouter service sends on its calls to another: its name and the internal token.
 *
 * @throws Error when `serviceName` is not lower-case letters, digits and '-' (a programming error).
 */
export function internalHeaders(serviceName: string, token: string): Readonly<Record<string, string>> {
  if (!SERVICE_NAME.test(serviceName)) {
    throw new Error(`internalHeaders: service name ${JSON.stringify(serviceName)} must be lower-case letters, digits and '-', such as "router"`);
  }
  return Object.freeze({ [SERVICE_HEADER]: serviceName, [SERVICE_TOKEN_HEADER]: token });
}

/** True for a valid service name in {@link SERVICE_HEADER}. */
export function isServiceName(name: string): boolean {
  return SERVICE_NAME.test(name);
}

/** Whether `presented` equals `expected`, in time that depends on neither (both are hashed first). */
export function secretEquals(presented: string, expected: string): boolean {
  const a = createHash("sha256").update(presented, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}
