import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "@jest/globals";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Job } from "kubernetes-models/batch/v1/Job";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { kubernetesRoot, repositoryRoot } from "./repository-root.test-support.js";
import { readEnvFile, renderKustomization, workloads, type KubeObject } from "./kustomize-render.test-support.js";

/** The Kubernetes API schema of every kind the manifests use (kubernetes-models: the API's OpenAPI schemas). */
const SCHEMAS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1 Deployment": Deployment,
  "apps/v1 StatefulSet": StatefulSet,
  "batch/v1 Job": Job,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "v1 ConfigMap": ConfigMap,
  "v1 Secret": Secret,
  "v1 Service": Service,
};

/** The Secrets an operator creates before applying the base or the co-located variant (docs/operations.md). */
const OPERATOR_SECRETS = ["modelrouter-auth", "modelrouter-registry-database"];

const VARIANTS = ["base", "demo", "colocated"] as const;
const rendered = Object.fromEntries(VARIANTS.map((v) => [v, renderKustomization(join(kubernetesRoot, v))])) as Record<(typeof VARIANTS)[number], KubeObject[]>;

const selects = (selector: Record<string, string>, labels: Record<string, string>): boolean => Object.entries(selector).every(([k, v]) => labels[k] === v);
const durationSeconds = (value: string): number => {
  const match = /^(\d+)(ms|s|m)$/.exec(value);
  if (match === null) throw new Error(`not a duration: ${value}`);
  return Number(match[1]) / (match[2] === "ms" ? 1000 : match[2] === "m" ? 1 / 60 : 1);
};

/** Every TypeScript source file of the services (not tests, not generated code). */
function sourceText(): string {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "dist" || entry.name === "gen") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".spec.ts")) texts.push(readFileSync(path, "utf8"));
    }
  };
  for (const root of ["apps", "libs"]) walk(join(repositoryRoot, root));
  return texts.join("\n");
}

describe.each(VARIANTS)("the %s manifests", (variant) => {
  const objects = rendered[variant];
  const pods = workloads(objects);
  const configDir = join(kubernetesRoot, variant === "demo" ? "base" : variant);

  it("are valid objects of their kinds by the Kubernetes API schemas, with unique names per kind", () => {
    const invalid = objects.flatMap((object) => {
      const Schema = SCHEMAS[`${object.apiVersion} ${object.kind}`];
      if (Schema === undefined) return [`${object.kind}/${object.metadata.name}: no schema for ${object.apiVersion} ${object.kind} in this test`];
      try {
        new Schema(object as never).validate();
        return [];
      } catch (error) {
        return [`${object.kind}/${object.metadata.name}: ${error instanceof Error ? error.message : String(error)}`];
      }
    });
    expect(invalid).toEqual([]);
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names.length).toBe(new Set(names).size);
  });

  it("run every container as a non-root user without privileges, with CPU and memory requests and a memory limit", () => {
    const problems = pods.flatMap(({ workload, pod }) =>
      pod.containers.flatMap((c) => {
        const where = `${workload.kind}/${workload.metadata.name} ${c.name}`;
        return [
          pod.securityContext?.runAsNonRoot === true ? undefined : `${where}: runAsNonRoot is not set`,
          c.securityContext?.allowPrivilegeEscalation === false ? undefined : `${where}: allowPrivilegeEscalation is not false`,
          c.securityContext?.capabilities?.drop?.includes("ALL") === true ? undefined : `${where}: capabilities are not dropped`,
          c.resources?.requests?.["cpu"] !== undefined && c.resources.requests["memory"] !== undefined ? undefined : `${where}: no CPU or memory request`,
          c.resources?.limits?.["memory"] !== undefined ? undefined : `${where}: no memory limit`,
        ].filter((p): p is string => p !== undefined);
      }),
    );
    expect(problems).toEqual([]);
  });

  it("probe each modelrouter service on its gRPC health: readiness on the process, liveness on the liveness service, on a declared port", () => {
    const services = pods.filter(({ pod }) => pod.containers.some((c) => c.image.startsWith("modelrouter:") && c.args?.[0]?.startsWith("apps/")));
    expect(services.length).toBeGreaterThan(0);
    for (const { workload, pod } of services) {
      const [container] = pod.containers;
      const ports = (container!.ports ?? []).map((p) => p.containerPort);
      expect({ workload: workload.metadata.name, readiness: container!.readinessProbe?.grpc, liveness: container!.livenessProbe?.grpc }).toEqual({
        workload: workload.metadata.name,
        readiness: { port: ports[0] },
        liveness: { port: ports[0], service: "liveness" },
      });
    }
  });

  it("give a pod the time to drain: termination grace ≥ the preStop pause + MODELROUTER_SHUTDOWN_GRACE + 5 s", () => {
    const grace = durationSeconds(readEnvFile(join(configDir, "config.env"))["MODELROUTER_SHUTDOWN_GRACE"] ?? "10s");
    for (const { workload, pod } of pods.filter(({ workload }) => workload.kind === "Deployment")) {
      const pause = pod.containers[0]!.lifecycle?.preStop?.sleep?.seconds ?? 0;
      expect({ workload: workload.metadata.name, enough: (pod.terminationGracePeriodSeconds ?? 30) >= pause + grace + 5 }).toEqual({ workload: workload.metadata.name, enough: true });
    }
  });

  it("select real pods with every Service and PodDisruptionBudget, on ports the pods declare", () => {
    const problems: string[] = [];
    for (const object of objects.filter((o) => o.kind === "Service" || o.kind === "PodDisruptionBudget")) {
      const spec = object["spec"] as { selector?: Record<string, unknown>; ports?: { name: string; targetPort: string | number }[] };
      const selector = (object.kind === "Service" ? spec.selector : (spec.selector as { matchLabels?: Record<string, string> })?.matchLabels) as Record<string, string>;
      const selected = pods.filter(({ podLabels }) => selects(selector, podLabels));
      if (selected.length === 0) problems.push(`${object.kind}/${object.metadata.name} selects no pods`);
      for (const port of spec.ports ?? []) {
        const declared = selected.some(({ pod }) => pod.containers.some((c) => (c.ports ?? []).some((p) => p.name === port.targetPort || p.containerPort === port.targetPort)));
        if (!declared) problems.push(`${object.kind}/${object.metadata.name} port ${port.name} targets ${port.targetPort}, which its pods do not declare`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("refer only to ConfigMaps and Secrets they define, or to the ones the operator creates (documented)", () => {
    const defined = new Set(objects.filter((o) => o.kind === "ConfigMap" || o.kind === "Secret").map((o) => `${o.kind}/${o.metadata.name}`));
    const referenced = new Set<string>();
    for (const { pod } of pods) {
      for (const volume of pod.volumes ?? []) {
        if (volume.secret !== undefined) referenced.add(`Secret/${volume.secret.secretName}`);
        if (volume.configMap !== undefined) referenced.add(`ConfigMap/${volume.configMap.name}`);
      }
      for (const c of pod.containers) {
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef !== undefined) referenced.add(`Secret/${e.valueFrom.secretKeyRef.name}`);
        for (const e of c.envFrom ?? []) {
          if (e.configMapRef !== undefined) referenced.add(`ConfigMap/${e.configMapRef.name}`);
          if (e.secretRef !== undefined) referenced.add(`Secret/${e.secretRef.name}`);
        }
      }
    }
    const missing = [...referenced].filter((r) => !defined.has(r)).sort();
    expect(missing).toEqual(variant === "demo" ? [] : OPERATOR_SECRETS.map((s) => `Secret/${s}`));
  });

  it("configure only variables the services read, and name Services that exist for the addresses they give", () => {
    const config = readEnvFile(join(configDir, "config.env"));
    const source = sourceText();
    expect(Object.keys(config).filter((name) => !source.includes(`"${name}"`))).toEqual([]);
    const servicePorts = new Set(
      objects.filter((o) => o.kind === "Service").flatMap((o) => ((o["spec"] as { ports: { port: number }[] }).ports ?? []).map((p) => `${o.metadata.name}:${p.port}`)),
    );
    const addresses = Object.entries(config).filter(([name]) => name.endsWith("_ADDRESS"));
    expect(addresses.filter(([, address]) => !servicePorts.has(address))).toEqual([]);
  });
});

describe("the demo overlay", () => {
  it("seeds the demo through the registry's Service with the admin token of the Secret the services read", () => {
    const job = rendered.demo.find((o) => o.kind === "Job")!;
    const { pod } = workloads([job])[0]!;
    const container = pod.containers[0]!;
    expect(container.args).toEqual(["tools/cli/bin/modelrouter.mjs", "--registry", "modelrouter-registry:50054", "seed", "--demo"]);
    expect(container.env).toEqual([{ name: "MODELROUTER_API_KEY", valueFrom: { secretKeyRef: { name: "modelrouter-auth", key: "admin-token" } } }]);
    const registryService = rendered.demo.find((o) => o.kind === "Service" && o.metadata.name === "modelrouter-registry");
    expect(registryService).toBeDefined();
  });

  it("gives the registry a database URL that names the demo PostgreSQL's Service, user and database", () => {
    const secret = rendered.demo.find((o) => o.kind === "Secret" && o.metadata.name === "modelrouter-registry-database")!;
    const url = new URL((secret["stringData"] as Record<string, string>)["url"]!);
    const postgres = rendered.demo.find((o) => o.kind === "StatefulSet")!;
    const env = workloads([postgres])[0]!.pod.containers[0]!.env!;
    expect({ host: url.hostname, port: url.port, user: url.username, db: url.pathname.slice(1) }).toEqual({
      host: "modelrouter-postgres",
      port: "5432",
      user: env.find((e) => e.name === "POSTGRES_USER")!.value,
      db: env.find((e) => e.name === "POSTGRES_DB")!.value,
    });
  });
});
