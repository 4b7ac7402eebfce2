import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MlflowModelVersion, MlflowTag } from "./mlflow-json.js";

/** A version of a model held by the {@link FakeMlflowServer}. */
export interface FakeMlflowVersion {
  readonly version: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly stage?: string;
  readonly status?: string;
  readonly description?: string;
}

/** A registered model held by the {@link FakeMlflowServer}. */
export interface FakeMlflowModel {
  readonly name: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly versions: readonly FakeMlflowVersion[];
  /** alias → version. */
  readonly aliases?: Readonly<Record<string, string>>;
}

/**
 * An in-test HTTP server that follows MLflow's documented model registry REST API for the calls the sync makes
 * (`GET /api/2.0/mlflow/registered-models/search` and `model-versions/search` with `filter=name='...'`, paged by
 * `max_results` and `page_token`, errors as `{"error_code": ..., "message": ...}`), for tests only.
 */
export interface FakeMlflowServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The models it lists; replace or edit between syncs. */
  models: FakeMlflowModel[];
  /** Points `alias` of model `name` at `version`. */
  setAlias(name: string, alias: string, version: string): void;
  /** The `Authorization` header of every request, in order. */
  readonly authorizations: (string | undefined)[];
  /** Every request path with its query, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts a {@link FakeMlflowServer} on a free loopback port; with `token`, every call needs `Bearer <token>`. */
export async function startFakeMlflowServer(options: { models?: FakeMlflowModel[]; token?: string } = {}): Promise<FakeMlflowServer> {
  const state = {
    models: options.models ?? [],
    authorizations: [] as (string | undefined)[],
    requests: [] as string[],
  };
  const server = createServer((req, res) => {
    state.authorizations.push(req.headers.authorization);
    state.requests.push(req.url ?? "");
    handle(req, res);
  });
  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://fake");
    const fail = (status: number, code: string, message: string): void => send(res, status, { error_code: code, message });
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      fail(401, "UNAUTHENTICATED", "a valid bearer token is required");
      return;
    }
    if (req.method !== "GET") {
      fail(405, "ENDPOINT_NOT_FOUND", `${req.method} is not served`);
      return;
    }
    const maxResults = Number(url.searchParams.get("max_results") ?? "100");
    const offset = Number(url.searchParams.get("page_token") || "0");
    if (!Number.isInteger(offset) || offset < 0) {
      fail(400, "INVALID_PARAMETER_VALUE", "Invalid page token");
      return;
    }
    const page = <T>(items: readonly T[]): { items: T[]; next?: string } => {
      const slice = items.slice(offset, offset + maxResults);
      return offset + maxResults < items.length ? { items: slice, next: String(offset + maxResults) } : { items: slice };
    };
    const sorted = [...state.models].sort((a, b) => a.name.localeCompare(b.name));
    if (url.pathname === "/api/2.0/mlflow/registered-models/search") {
      const { items, next } = page(sorted);
      send(res, 200, {
        registered_models: items.map((m) => ({
          name: m.name,
          tags: tagList(m.tags),
          aliases: Object.entries(m.aliases ?? {}).map(([alias, version]) => ({ alias, version })),
        })),
        ...(next === undefined ? {} : { next_page_token: next }),
      });
      return;
    }
    if (url.pathname === "/api/2.0/mlflow/model-versions/search") {
      const match = /^name\s*=\s*'(.*)'$/u.exec(url.searchParams.get("filter") ?? "");
      if (match === null) {
        fail(400, "INVALID_PARAMETER_VALUE", "filter must be name='...'");
        return;
      }
      const model = sorted.find((m) => m.name === match[1]);
      const versions: MlflowModelVersion[] = (model?.versions ?? []).map((v) => ({
        name: model?.name ?? "",
        version: v.version,
        current_stage: v.stage ?? "None",
        status: v.status ?? "READY",
        ...(v.description === undefined ? {} : { description: v.description }),
        tags: tagList(v.tags),
        aliases: Object.entries(model?.aliases ?? {}).filter(([, target]) => target === v.version).map(([alias]) => alias),
      }));
      const { items, next } = page(versions);
      send(res, 200, { model_versions: items, ...(next === undefined ? {} : { next_page_token: next }) });
      return;
    }
    fail(404, "ENDPOINT_NOT_FOUND", `no endpoint ${url.pathname}`);
  }
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeMlflowServer = {
    url: `http://127.0.0.1:${port}`,
    get models() {
      return state.models;
    },
    set models(models) {
      state.models = models;
    },
    setAlias(name, alias, version) {
      state.models = state.models.map((m) => (m.name === name ? { ...m, aliases: { ...m.aliases, [alias]: version } } : m));
    },
    authorizations: state.authorizations,
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return fake;
}

function tagList(tags: Readonly<Record<string, string>> | undefined): MlflowTag[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
