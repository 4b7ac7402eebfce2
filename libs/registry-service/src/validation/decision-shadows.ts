import type { ShadowResult } from "@modelrouter/contracts";
import type { Violations } from "@modelrouter/errors";
import { checkName, checkVersion } from "./names.js";

/** The most shadow results a decision record may carry (a route mirrors to at most 4 models). */
export const MAX_SHADOW_RESULTS = 8;
/** The longest shadow `message`, in characters. */
export const MAX_SHADOW_MESSAGE_LENGTH = 1024;
/** The largest gRPC status code (UNAUTHENTICATED). */
const MAX_GRPC_CODE = 16;

/** Checks a decision record's `shadows` (at `decision.shadows[i]…` paths): model, code, texts and numbers. */
export function checkShadowResults(v: Violations, shadows: readonly ShadowResult[], maxTextLength: number): void {
  if (shadows.length > MAX_SHADOW_RESULTS) {
    v.add("decision.shadows", `lists ${shadows.length} shadow results; at most ${MAX_SHADOW_RESULTS} are kept`);
  }
  shadows.slice(0, MAX_SHADOW_RESULTS).forEach((shadow, i) => {
    const at = `decision.shadows[${i}]`;
    if (shadow.model === undefined) v.add(`${at}.model`, "is required: the shadow model version the request was mirrored to");
    else {
      checkName(v, `${at}.model.name`, shadow.model.name, "digits-lite", "model");
      checkVersion(v, `${at}.model.version`, shadow.model.version, true);
    }
    if (!Number.isInteger(shadow.code) || shadow.code < 0 || shadow.code > MAX_GRPC_CODE) {
      v.add(`${at}.code`, `is ${shadow.code}: give the shadow's gRPC status code, 0 (OK) to ${MAX_GRPC_CODE}`);
    }
    if (shadow.message.length > MAX_SHADOW_MESSAGE_LENGTH) {
      v.add(`${at}.message`, `has ${shadow.message.length} characters; at most ${MAX_SHADOW_MESSAGE_LENGTH}`);
    }
    if (shadow.topLabel.length > maxTextLength) {
      v.add(`${at}.top_label`, `has ${shadow.topLabel.length} characters; at most ${maxTextLength}`);
    }
    const distance = shadow.scoreDistance;
    if (distance !== undefined && !(Number.isFinite(distance) && distance >= 0)) {
      v.add(`${at}.score_distance`, `is ${distance}: give a finite L1 distance ≥ 0, or leave it unset`);
    }
    if (!(Number.isFinite(shadow.latencyMs) && shadow.latencyMs >= 0)) {
      v.add(`${at}.latency_ms`, `is ${shadow.latencyMs}: give the shadow's latency in milliseconds, ≥ 0`);
    }
  });
}
