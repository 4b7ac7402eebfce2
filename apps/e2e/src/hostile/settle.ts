import { codeName, isRpcError, type RpcError } from "@modelrouter/rpc-kit";

/** How a call ended: its value, or the RPC error it failed with. */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RpcError };

/** Waits for a call; an RPC error becomes a value, anything else is rethrown. */
export async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    if (isRpcError(error)) return { ok: false, error };
    throw error;
  }
}

/** `OK` or the error's code name. */
export const codeOf = (settled: Settled<unknown>): string => (settled.ok ? "OK" : codeName(settled.error.code));

/** The fields the error's BadRequest names (empty for a success). */
export const fieldsOf = (settled: Settled<unknown>): string[] => (settled.ok ? [] : settled.error.violations.map((v) => v.field));

/** Counts of each code name. */
export function countCodes(codes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const code of codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}
