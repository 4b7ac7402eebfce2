/** What a REST request asks for, or why it matches no route. */
export type RestRoute =
  | { readonly kind: "live" }
  | { readonly kind: "ready" }
  | { readonly kind: "server" }
  | { readonly kind: "model"; readonly model: string; readonly version: string }
  | { readonly kind: "modelReady"; readonly model: string; readonly version: string }
  | { readonly kind: "infer"; readonly model: string; readonly version: string }
  | { readonly kind: "none"; readonly status: 404 | 405 | 400; readonly message: string; readonly allow?: string };

const MODEL_PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(?:\/(ready|infer))?$/;

/**
 * Matches a method and request target to an OIP REST route: GET `/v2/health/live`, `/v2/health/ready`,
 * `/v2`, `/v2/models/{m}[/versions/{v}]` and `…/ready`; POST `…/infer`. Path segments are percent-decoded;
 * the query string is ignored. A known path with the wrong method is 405 (with `allow`), anything else 404.
 */
export function routeOf(method: string, target: string): RestRoute {
  const path = target.split("?")[0] ?? "";
  const get = (route: RestRoute): RestRoute => (method === "GET" || method === "HEAD" ? route : wrongMethod(method, path, "GET"));
  if (path === "/v2/health/live") return get({ kind: "live" });
  if (path === "/v2/health/ready") return get({ kind: "ready" });
  if (path === "/v2" || path === "/v2/") return get({ kind: "server" });
  const match = MODEL_PATH.exec(path);
  if (match === null) return { kind: "none", status: 404, message: `no OIP route ${path}: see /v2/models/{model}[/versions/{version}][/ready|/infer]` };
  let model: string;
  let version: string;
  try {
    model = decodeURIComponent(match[1] ?? "");
    version = decodeURIComponent(match[2] ?? "");
  } catch {
    return { kind: "none", status: 400, message: `the path ${path} is not valid percent-encoding` };
  }
  const action = match[3];
  if (action === "infer") return method === "POST" ? { kind: "infer", model, version } : wrongMethod(method, path, "POST");
  return get(action === "ready" ? { kind: "modelReady", model, version } : { kind: "model", model, version });
}

function wrongMethod(method: string, path: string, allow: string): RestRoute {
  return { kind: "none", status: 405, message: `${method} is not allowed on ${path}; use ${allow}`, allow };
}
