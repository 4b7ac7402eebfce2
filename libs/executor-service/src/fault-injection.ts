import { setTimeout as sleep } from "node:timers/promises";
import type { ExecutorService } from "@modelrouter/contracts";
import { Code, RpcError, codeName, type ServiceImpl } from "@modelrouter/rpc-kit";

/** The environment variable that turns fault injection on. */
export const FAULTS_SETTING = "MODELROUTER_EXECUTOR_FAULTS";
/** The longest injected delay: one minute, in milliseconds. */
export const MAX_FAULT_DELAY_MS = 60_000;

/** One fault rule: for the requests of a model (version), fail a share with a code and delay a share. */
export interface FaultRule {
  readonly model: string;
  /** Empty: every version of the model. */
  readonly version: string;
  /** Fail this share of the matching requests with `code`, before the model runs. */
  readonly abort?: { readonly share: number; readonly code: Code };
  /** Hold this share of the matching requests for `ms` milliseconds before they run. */
  readonly delay?: { readonly share: number; readonly ms: number };
}

/** The rules of a fault setting, or the problems that make it invalid (each naming the entry and the field). */
export type FaultParse = { readonly rules: readonly FaultRule[]; readonly problems: readonly string[] };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function share(value: unknown, at: string, problems: string[]): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0 && value <= 1) return value;
  problems.push(`${at}.share is ${JSON.stringify(value)}: give the share of matching requests, above 0 and at most 1, for example 0.5`);
  return 0;
}

const CODE_NAMES = Object.keys(Code).filter((name) => name !== "OK");

function abortOf(value: unknown, at: string, problems: string[]): FaultRule["abort"] {
  if (!isRecord(value)) {
    problems.push(`${at} is ${JSON.stringify(value)}: give an object such as {"share": 0.5, "code": "UNAVAILABLE"}`);
    return undefined;
  }
  const s = share(value["share"], at, problems);
  const name = value["code"];
  const code = typeof name === "string" && CODE_NAMES.includes(name) ? Code[name as keyof typeof Code] : undefined;
  if (code === undefined) {
    problems.push(`${at}.code is ${JSON.stringify(name)}: give a gRPC code name other than OK, such as UNAVAILABLE (one of ${CODE_NAMES.join(", ")})`);
    return undefined;
  }
  return { share: s, code };
}

function delayOf(value: unknown, at: string, problems: string[]): FaultRule["delay"] {
  if (!isRecord(value)) {
    problems.push(`${at} is ${JSON.stringify(value)}: give an object such as {"share": 0.1, "ms": 200}`);
    return undefined;
  }
  const s = share(value["share"], at, problems);
  const ms = value["ms"];
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_FAULT_DELAY_MS) {
    problems.push(`${at}.ms is ${JSON.stringify(ms)}: give the delay in milliseconds, from 0 to ${MAX_FAULT_DELAY_MS}, for example 200`);
    return undefined;
  }
  return { share: s, ms };
}

/**
 * Parses `MODELROUTER_EXECUTOR_FAULTS`: a JSON list of rules such as
 * `[{"model":"digits-lite","version":"","abort":{"share":0.5,"code":"UNAVAILABLE"},"delay":{"share":0.1,"ms":200}}]`.
 * Unset or empty: no rules. Every problem names the entry and field (`MODELROUTER_EXECUTOR_FAULTS[0].abort.code`)
 * and the fix; the rules are only usable when there are none.
 */
export function parseFaults(text: string | undefined): FaultParse {
  if (text === undefined || text.trim() === "") return { rules: [], problems: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { rules: [], problems: [`${FAULTS_SETTING} is not JSON (${why}): give a list such as [{"model":"digits-lite","abort":{"share":0.5,"code":"UNAVAILABLE"}}]`] };
  }
  if (!Array.isArray(parsed)) {
    return { rules: [], problems: [`${FAULTS_SETTING} is not a list: give a JSON list of rules, such as [{"model":"digits-lite","abort":{"share":0.5,"code":"UNAVAILABLE"}}]`] };
  }
  const problems: string[] = [];
  const rules: FaultRule[] = [];
  parsed.forEach((entry: unknown, i) => {
    const at = `${FAULTS_SETTING}[${i}]`;
    if (!isRecord(entry)) {
      problems.push(`${at} is ${JSON.stringify(entry)}: give an object with "model" and "abort" or "delay"`);
      return;
    }
    const unknown = Object.keys(entry).filter((k) => !["model", "version", "abort", "delay"].includes(k));
    if (unknown.length > 0) problems.push(`${at} has unknown field(s) ${unknown.join(", ")}: use model, version, abort and delay`);
    const model = entry["model"];
    if (typeof model !== "string" || model === "") problems.push(`${at}.model is ${JSON.stringify(model)}: name the model whose requests fail, such as "digits-lite"`);
    const version = entry["version"] ?? "";
    if (typeof version !== "string") problems.push(`${at}.version is ${JSON.stringify(version)}: give a version string, or "" for every version`);
    if (entry["abort"] === undefined && entry["delay"] === undefined) problems.push(`${at} has neither abort nor delay: give at least one`);
    const abort = entry["abort"] === undefined ? undefined : abortOf(entry["abort"], `${at}.abort`, problems);
    const delay = entry["delay"] === undefined ? undefined : delayOf(entry["delay"], `${at}.delay`, problems);
    rules.push({
      model: typeof model === "string" ? model : "",
      version: typeof version === "string" ? version : "",
      ...(abort === undefined ? {} : { abort }),
      ...(delay === undefined ? {} : { delay }),
    });
  });
  return problems.length === 0 ? { rules, problems } : { rules: [], problems };
}

/** The rules as one line each, for the loud startup log. */
export function describeFaults(rules: readonly FaultRule[]): string[] {
  return rules.map((rule) => {
    const parts = [
      rule.abort === undefined ? "" : `abort ${rule.abort.share * 100} % with ${codeName(rule.abort.code)}`,
      rule.delay === undefined ? "" : `delay ${rule.delay.share * 100} % by ${rule.delay.ms} ms`,
    ].filter((p) => p !== "");
    return `${rule.model}${rule.version === "" ? "" : `@${rule.version}`}: ${parts.join(", ")}`;
  });
}

/** Options of {@link withFaults}. */
export interface FaultOptions {
  /** Uniform numbers in [0, 1), one per decision to inject. Default: `Math.random`. */
  readonly random?: () => number;
}

/**
 * The executor's handlers with faults injected, like Istio's fault filter: a request for a model (version) a
 * rule names is first held for the rule's delay (with its share of probability, cancelled with the call), then
 * failed with the rule's code (with its share) before the model runs; the first matching rule applies. Other
 * requests pass through untouched. With no rules, `impl` itself.
 */
export function withFaults(impl: ServiceImpl<typeof ExecutorService>, rules: readonly FaultRule[], options: FaultOptions = {}): ServiceImpl<typeof ExecutorService> {
  if (rules.length === 0) return impl;
  const random = options.random ?? Math.random;
  return {
    ...impl,
    async execute(request, ctx) {
      const name = request.model?.name ?? "";
      const version = request.model?.version ?? "";
      const rule = rules.find((r) => r.model === name && (r.version === "" || r.version === version));
      if (rule?.delay !== undefined && random() < rule.delay.share) {
        try {
          await sleep(rule.delay.ms, undefined, { signal: ctx.signal });
        } catch {
          throw new RpcError({ code: Code.CANCELLED, message: `the call was cancelled during a delay injected by ${FAULTS_SETTING}` });
        }
      }
      if (rule?.abort !== undefined && random() < rule.abort.share) {
        throw new RpcError({
          code: rule.abort.code,
          message: `fault injected by ${FAULTS_SETTING}: ${name}@${version} failed with ${codeName(rule.abort.code)}`,
          reason: "FAULT_INJECTED",
        });
      }
      return impl.execute(request, ctx);
    },
  };
}
