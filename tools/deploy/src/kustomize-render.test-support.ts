import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";

/** A Kubernetes object as the manifests give it. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

/** The kustomization fields this renderer understands; any other field fails the render, so none is skipped silently. */
const UNDERSTOOD = new Set(["apiVersion", "kind", "labels", "resources", "configMapGenerator", "secretGenerator", "images"]);

interface Kustomization {
  readonly labels?: readonly { readonly pairs: Record<string, string>; readonly includeSelectors?: boolean; readonly includeTemplates?: boolean }[];
  readonly resources?: readonly string[];
  readonly configMapGenerator?: readonly { readonly name: string; readonly envs?: readonly string[]; readonly literals?: readonly string[] }[];
  readonly secretGenerator?: readonly { readonly name: string; readonly literals?: readonly string[] }[];
  readonly images?: readonly { readonly name: string; readonly newName?: string; readonly newTag?: string }[];
}

/** `KEY=value` lines of an env file or kustomize literals, in order. */
export function envPairs(lines: readonly string[]): [string, string][] {
  return lines
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const eq = line.indexOf("=");
      if (eq <= 0) throw new Error(`not KEY=value: ${line}`);
      return [line.slice(0, eq), line.slice(eq + 1)];
    });
}

/** Reads an env file as kustomize's `envs` does. */
export function readEnvFile(path: string): Record<string, string> {
  return Object.fromEntries(envPairs(readFileSync(path, "utf8").split("\n")));
}

function podSpecsOf(object: KubeObject): Record<string, unknown>[] {
  const spec = object["spec"] as Record<string, unknown> | undefined;
  const template = spec?.["template"] as { spec?: Record<string, unknown> } | undefined;
  return template?.spec === undefined ? [] : [template.spec];
}

/**
 * Renders a kustomization the way `kubectl kustomize` does for the fields modelrouter's manifests use: resources
 * (files and other kustomizations), ConfigMap and Secret generators (without kustomize's name-hash suffix: references
 * keep the generator's name), labels on every object's metadata, and image replacement.
 *
 * @throws Error naming a kustomization field it does not understand or a resource it cannot read.
 */
export function renderKustomization(dir: string): KubeObject[] {
  const file = join(dir, "kustomization.yaml");
  const kustomization = parse(readFileSync(file, "utf8")) as Kustomization & Record<string, unknown>;
  const unknown = Object.keys(kustomization).filter((key) => !UNDERSTOOD.has(key));
  if (unknown.length > 0) throw new Error(`${file}: the test renderer does not understand ${unknown.join(", ")}: teach it before using them`);
  const objects: KubeObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    if (statSync(path).isDirectory()) {
      objects.push(...renderKustomization(path));
      continue;
    }
    for (const doc of parseAllDocuments(readFileSync(path, "utf8"))) {
      if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]!.message}`);
      const value = doc.toJS() as KubeObject | null;
      if (value !== null) objects.push(value);
    }
  }
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const env of generator.envs ?? []) Object.assign(data, readEnvFile(join(dir, env)));
    Object.assign(data, Object.fromEntries(envPairs(generator.literals ?? [])));
    objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: generator.name }, data });
  }
  for (const generator of kustomization.secretGenerator ?? []) {
    objects.push({ apiVersion: "v1", kind: "Secret", metadata: { name: generator.name }, type: "Opaque", stringData: Object.fromEntries(envPairs(generator.literals ?? [])) });
  }
  for (const { pairs } of kustomization.labels ?? []) {
    for (const object of objects) object.metadata.labels = { ...object.metadata.labels, ...pairs };
  }
  for (const image of kustomization.images ?? []) {
    for (const podSpec of objects.flatMap(podSpecsOf)) {
      for (const container of (podSpec["containers"] ?? []) as { image?: string }[]) {
        if (container.image === image.name) container.image = `${image.newName ?? image.name}${image.newTag === undefined ? "" : `:${image.newTag}`}`;
      }
    }
  }
  return objects;
}

/** The pod specs of the workloads (Deployments, StatefulSets, Jobs) among `objects`, with their workload. */
export function workloads(objects: readonly KubeObject[]): { readonly workload: KubeObject; readonly pod: PodSpec; readonly podLabels: Record<string, string> }[] {
  return objects.flatMap((workload) => {
    const template = (workload["spec"] as { template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } } | undefined)?.template;
    return template?.spec === undefined ? [] : [{ workload, pod: template.spec, podLabels: template.metadata?.labels ?? {} }];
  });
}

/** The parts of a pod spec the checks read. */
export interface PodSpec {
  readonly terminationGracePeriodSeconds?: number;
  readonly securityContext?: { readonly runAsNonRoot?: boolean; readonly runAsUser?: number };
  readonly containers: readonly Container[];
  readonly volumes?: readonly { readonly name: string; readonly secret?: { readonly secretName: string }; readonly configMap?: { readonly name: string } }[];
}

/** The parts of a container the checks read. */
export interface Container {
  readonly name: string;
  readonly image: string;
  readonly args?: readonly string[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } } }[];
  readonly envFrom?: readonly { readonly configMapRef?: { readonly name: string }; readonly secretRef?: { readonly name: string } }[];
  readonly resources?: { readonly requests?: Record<string, string>; readonly limits?: Record<string, string> };
  readonly readinessProbe?: Probe;
  readonly livenessProbe?: Probe;
  readonly startupProbe?: Probe;
  readonly lifecycle?: { readonly preStop?: { readonly sleep?: { readonly seconds: number } } };
  readonly securityContext?: { readonly allowPrivilegeEscalation?: boolean; readonly readOnlyRootFilesystem?: boolean; readonly capabilities?: { readonly drop?: readonly string[] } };
}

/** A probe as the checks read it. */
export interface Probe {
  readonly grpc?: { readonly port: number; readonly service?: string };
  readonly exec?: { readonly command: readonly string[] };
}
