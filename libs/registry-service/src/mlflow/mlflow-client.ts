import type { Redacted } from "@modelrouter/egress";
import type { MlflowModelListing, MlflowModelVersion, MlflowRegisteredModel } from "./mlflow-json.js";

/** A call to MLflow that failed: its message names the call and MLflow's `error_code` and message, never a credential. */
export class MlflowError extends Error {
  constructor(
    message: string,
    /** MLflow's `error_code` (`RESOURCE_DOES_NOT_EXIST`, `PERMISSION_DENIED`, ...), or `UNAVAILABLE`/`BAD_RESPONSE`. */
    readonly errorCode: string,
  ) {
    super(message);
    this.name = "MlflowError";
  }
}

/** How to reach an MLflow tracking server. */
export interface MlflowClientOptions {
  /** The tracking server's base URL, for example `http://mlflow.internal:5000`. */
  readonly trackingUri: string;
  /** Sent as `Authorization: Bearer <credential>` when given. */
  readonly credential?: Redacted;
  /** The deadline of each HTTP call, in ms (default 10 s). */
  readonly timeoutMs?: number;
  /** The most pages read from one listing before giving up (default 100). */
  readonly maxPages?: number;
  /** Registered models or versions asked for per page (default 100). */
  readonly pageSize?: number;
}

/** Reads MLflow's model registry. */
export interface MlflowClient {
  /** Every registered model with all its versions, ordered by name, then version number. */
  listModels(): Promise<MlflowModelListing[]>;
}

interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken: string;
}

/**
 * A client of MLflow's REST API (`GET /api/2.0/mlflow/registered-models/search` and `model-versions/search`),
 * reading every page (`max_results`, `page_token`) up to a bound, each call under a deadline. MLflow's error
 * bodies (`{"error_code": ..., "message": ...}`) become {@link MlflowError}s.
 */
export function createMlflowClient(options: MlflowClientOptions): MlflowClient {
  const base = options.trackingUri.replace(/\/+$/u, "");
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxPages = options.maxPages ?? 100;
  const pageSize = options.pageSize ?? 100;

  async function get(path: string, query: Record<string, string>): Promise<Record<string, unknown>> {
    const url = `${base}/api/2.0/mlflow/${path}?${new URLSearchParams(query).toString()}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.credential !== undefined) headers["authorization"] = `Bearer ${options.credential.reveal()}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: "error", signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const why = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : String((error as Error).cause ?? error);
      throw new MlflowError(`MLflow ${path} at ${base}: ${why}`, "UNAVAILABLE");
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text === "" ? {} : JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const record = isRecord(body) ? body : {};
      const code = typeof record["error_code"] === "string" ? record["error_code"] : `HTTP_${response.status}`;
      const message = typeof record["message"] === "string" ? record["message"] : text.slice(0, 200);
      throw new MlflowError(`MLflow ${path} at ${base} answered ${response.status} ${code}: ${message}`, code);
    }
    if (!isRecord(body)) throw new MlflowError(`MLflow ${path} at ${base}: the answer is not a JSON object`, "BAD_RESPONSE");
    return body;
  }

  async function readAll<T>(what: string, readPage: (token: string) => Promise<Page<T>>): Promise<T[]> {
    const items: T[] = [];
    let token = "";
    for (let page = 0; page < maxPages; page += 1) {
      const result = await readPage(token);
      items.push(...result.items);
      if (result.nextPageToken === "") return items;
      token = result.nextPageToken;
    }
    throw new MlflowError(`MLflow ${what}: more than ${maxPages} pages of ${pageSize}; sync fewer models or raise the bound`, "TOO_MANY_PAGES");
  }

  async function searchModels(token: string): Promise<Page<MlflowRegisteredModel>> {
    const body = await get("registered-models/search", pageQuery(pageSize, token));
    return { items: listOf<MlflowRegisteredModel>(body["registered_models"]), nextPageToken: tokenOf(body) };
  }

  async function searchVersions(name: string, token: string): Promise<Page<MlflowModelVersion>> {
    const filter = `name='${name.replaceAll("'", "\\'")}'`;
    const body = await get("model-versions/search", { filter, ...pageQuery(pageSize, token) });
    return { items: listOf<MlflowModelVersion>(body["model_versions"]), nextPageToken: tokenOf(body) };
  }

  return {
    async listModels() {
      const models = await readAll("registered-models/search", searchModels);
      const listings: MlflowModelListing[] = [];
      for (const model of [...models].sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""))) {
        if (model.name === undefined || model.name === "") continue;
        const name = model.name;
        const versions = await readAll(`model-versions/search for ${name}`, (token) => searchVersions(name, token));
        listings.push({
          model,
          versions: versions.filter((v) => v.name === undefined || v.name === name).sort((a, b) => Number(a.version) - Number(b.version)),
        });
      }
      return listings;
    },
  };
}

function pageQuery(pageSize: number, token: string): Record<string, string> {
  return token === "" ? { max_results: String(pageSize) } : { max_results: String(pageSize), page_token: token };
}

function tokenOf(body: Record<string, unknown>): string {
  return typeof body["next_page_token"] === "string" ? body["next_page_token"] : "";
}

function listOf<T>(value: unknown): T[] {
  return Array.isArray(value) ? value.filter(isRecord).map((item) => item as T) : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
