/**
 * Instances that failed recently (UNAVAILABLE, RESOURCE_EXHAUSTED), as this router saw them: each is passed over
 * while another is left, for `suspectMs` after its last failure, so that a killed executor costs a retry to a
 * few requests rather than to every other one. After that, the next request probes it again.
 */
export interface InstanceHealth {
  /** Records a failure of `instance` at `at` (epoch ms). */
  failed(instance: string, at: number): void;
  /** Records a success of `instance`: it is no longer suspect. */
  succeeded(instance: string): void;
  /** True while `instance` failed within the last `suspectMs` before `at`. */
  suspect(instance: string, at: number): boolean;
}

/** Creates an {@link InstanceHealth} that suspects an instance for `suspectMs` (default 1000) after a failure. */
export function createInstanceHealth(suspectMs = 1000): InstanceHealth {
  const lastFailure = new Map<string, number>();
  return {
    failed(instance, at) {
      lastFailure.set(instance, at);
    },
    succeeded(instance) {
      lastFailure.delete(instance);
    },
    suspect(instance, at) {
      const failedAt = lastFailure.get(instance);
      if (failedAt === undefined) return false;
      if (at - failedAt < suspectMs) return true;
      lastFailure.delete(instance);
      return false;
    },
  };
}
