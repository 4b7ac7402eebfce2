import { readFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { join } from "node:path";

/** The machine and software a result was measured on. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  /** npm package versions by name. */
  readonly packages: Readonly<Record<string, string>>;
  /** h2load's version line, or undefined when it is not installed. */
  readonly h2load?: string;
}

/** The packages whose versions a report names. */
export const REPORTED_PACKAGES = [
  "@grpc/grpc-js",
  "@bufbuild/protobuf",
  "onnxruntime-node",
  "@opentelemetry/sdk-trace-base",
  "@opentelemetry/exporter-trace-otlp-proto",
] as const;

function packageVersion(repoRoot: string, name: string): string {
  try {
    const manifest = JSON.parse(readFileSync(join(repoRoot, "node_modules", name, "package.json"), "utf8")) as { version?: string };
    return manifest.version ?? "unknown";
  } catch {
    return "not installed";
  }
}

/** Describes this machine: CPU, cores, memory, kernel, Node and the versions of {@link REPORTED_PACKAGES}. */
export function describeMachine(repoRoot: string, h2load: string | undefined): MachineInfo {
  const info = cpus();
  return {
    cpuModel: info[0]?.model ?? "unknown",
    cores: info.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    packages: Object.fromEntries(REPORTED_PACKAGES.map((name) => [name, packageVersion(repoRoot, name)])),
    ...(h2load === undefined ? {} : { h2load }),
  };
}
