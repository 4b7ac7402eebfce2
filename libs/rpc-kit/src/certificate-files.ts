import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync, unwatchFile, watchFile, type Stats } from "node:fs";
import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import type * as grpc from "@grpc/grpc-js";

/** A PEM file and the setting that names it (a variable or a flag), which every error and warning about it names. */
export interface PemFile {
  readonly path: string;
  readonly setting: string;
}

/** Which PEM files make up a {@link CertificateFiles}. */
export interface CertificateFilesSpec {
  /** A certificate chain (leaf first) and its private key. */
  readonly identity?: { readonly cert: PemFile; readonly key: PemFile } | undefined;
  /** A bundle of CA certificates: whom to trust. */
  readonly ca?: PemFile | undefined;
}

/** The contents of the files, checked: every certificate parses, the key belongs to the leaf certificate. */
export interface CertificateMaterial {
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly ca?: Buffer;
}

/** Options of {@link loadCertificateFiles}. */
export interface CertificateFilesOptions {
  /** How often the files are checked for a change, in ms. Default 1000. */
  readonly pollIntervalMs?: number;
  /** Called when a changed file cannot be used (the old material stays in use), with a message naming the file. */
  readonly onRejected?: (problem: string) => void;
  /** Called when changed files were taken into use, with a summary (the leaf certificate's serial number and expiry). */
  readonly onReloaded?: (summary: string) => void;
}

/** A PEM file that cannot be read or used at startup; the message names its setting and the fix. */
export class TlsFileError extends Error {
  override readonly name = "TlsFileError";
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function certificatesIn(file: PemFile, pem: Buffer): X509Certificate[] {
  const blocks = pem.toString("utf8").match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new TlsFileError(`${file.setting} (${file.path}) holds no PEM certificate (-----BEGIN CERTIFICATE-----): give a PEM file`);
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new TlsFileError(`${file.setting} (${file.path}): certificate ${i + 1} cannot be parsed (${(error as Error).message}): give a valid PEM certificate`);
    }
  });
}

/** Checks the material of `spec`; throws a {@link TlsFileError} naming the file at fault. */
function check(spec: CertificateFilesSpec, material: CertificateMaterial): string {
  let summary = "";
  if (spec.identity !== undefined) {
    const { cert, key } = spec.identity;
    const leaf = certificatesIn(cert, material.cert!)[0]!;
    let privateKey;
    try {
      privateKey = createPrivateKey(material.key!);
    } catch (error) {
      throw new TlsFileError(`${key.setting} (${key.path}) is not a PEM private key (${(error as Error).message}): give the key of the certificate in ${cert.setting}`);
    }
    if (!leaf.checkPrivateKey(privateKey)) {
      throw new TlsFileError(`${key.setting} (${key.path}) is not the key of the certificate in ${cert.setting} (${cert.path}): give the matching pair`);
    }
    summary = `certificate serial ${leaf.serialNumber}, valid until ${new Date(leaf.validTo).toISOString()}`;
  }
  if (spec.ca !== undefined) certificatesIn(spec.ca, material.ca!);
  try {
    createSecureContext({ cert: material.cert, key: material.key, ca: material.ca });
  } catch (error) {
    const files = [spec.identity?.cert, spec.identity?.key, spec.ca].filter((f) => f !== undefined).map((f) => `${f.setting} (${f.path})`);
    throw new TlsFileError(`${files.join(", ")}: not usable for TLS (${(error as Error).message})`);
  }
  return summary;
}

function filesOf(spec: CertificateFilesSpec): { readonly part: keyof CertificateMaterial; readonly file: PemFile }[] {
  return [
    ...(spec.identity === undefined ? [] : [{ part: "cert" as const, file: spec.identity.cert }, { part: "key" as const, file: spec.identity.key }]),
    ...(spec.ca === undefined ? [] : [{ part: "ca" as const, file: spec.ca }]),
  ];
}

function readProblem(file: PemFile, error: unknown): TlsFileError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new TlsFileError(`${file.setting}: cannot read ${file.path} (${code}): give the path of a readable PEM file`);
}

/**
 * PEM certificates and keys read from files, checked, and re-read when a file changes: a change that checks out
 * replaces the material (new connections use it; open ones keep theirs), a bad one is reported and the old
 * material stays. It is a grpc-js certificate provider (identity: `cert`/`key`, CA: `ca`), and node TLS servers
 * follow it with {@link CertificateFiles.onChange}.
 */
export class CertificateFiles implements grpc.experimental.CertificateProvider {
  #material: CertificateMaterial;
  readonly #listeners = new Set<(material: CertificateMaterial) => void>();
  readonly #caListeners = new Set<grpc.experimental.CaCertificateUpdateListener>();
  readonly #identityListeners = new Set<grpc.experimental.IdentityCertificateUpdateListener>();
  readonly #watched: { readonly path: string; readonly listener: (curr: Stats, prev: Stats) => void }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> = Promise.resolve();
  #closed = false;

  /** @internal Use {@link loadCertificateFiles}. */
  constructor(
    readonly spec: CertificateFilesSpec,
    material: CertificateMaterial,
    private readonly options: CertificateFilesOptions,
  ) {
    this.#material = material;
    const interval = options.pollIntervalMs ?? 1000;
    for (const { file } of filesOf(spec)) {
      const listener = (): void => this.#changed(interval);
      watchFile(file.path, { interval, persistent: false }, listener);
      this.#watched.push({ path: file.path, listener });
    }
  }

  /** The material in use. */
  get material(): CertificateMaterial {
    return this.#material;
  }

  /** Calls `listener` with the new material after each reload; returns the unsubscription. */
  onChange(listener: (material: CertificateMaterial) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Waits for a reload in progress, if any (tests). */
  settled(): Promise<void> {
    return this.#reloading;
  }

  /** Stops watching the files. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const { path, listener } of this.#watched) unwatchFile(path, listener);
    this.#watched.length = 0;
  }

  addCaCertificateListener(listener: grpc.experimental.CaCertificateUpdateListener): void {
    this.#caListeners.add(listener);
    const ca = this.#material.ca;
    process.nextTick(listener, ca === undefined ? null : { caCertificate: ca });
  }

  removeCaCertificateListener(listener: grpc.experimental.CaCertificateUpdateListener): void {
    this.#caListeners.delete(listener);
  }

  addIdentityCertificateListener(listener: grpc.experimental.IdentityCertificateUpdateListener): void {
    this.#identityListeners.add(listener);
    process.nextTick(listener, this.#identityUpdate());
  }

  removeIdentityCertificateListener(listener: grpc.experimental.IdentityCertificateUpdateListener): void {
    this.#identityListeners.delete(listener);
  }

  #identityUpdate(): grpc.experimental.IdentityCertificateUpdate | null {
    const { cert, key } = this.#material;
    return cert === undefined || key === undefined ? null : { certificate: cert, privateKey: key };
  }

  /** A file changed: reload once the files have been still for one interval (a cert and its key are written one after the other). */
  #changed(interval: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#reloading = this.#reloading.then(() => this.#reload());
    }, interval);
    this.#timer.unref();
  }

  async #reload(): Promise<void> {
    if (this.#closed) return;
    const next: Record<string, Buffer> = {};
    try {
      for (const { part, file } of filesOf(this.spec)) {
        try {
          next[part] = await readFile(file.path);
        } catch (error) {
          throw readProblem(file, error);
        }
      }
      const material = next as CertificateMaterial;
      const same = (["cert", "key", "ca"] as const).every((part) => sameBytes(material[part], this.#material[part]));
      if (same) return;
      const summary = check(this.spec, material);
      this.#material = material;
      this.options.onReloaded?.(summary === "" ? "CA bundle" : summary);
    } catch (error) {
      this.options.onRejected?.(`${(error as Error).message}; still using the files read before`);
      return;
    }
    const identity = this.#identityUpdate();
    for (const listener of this.#identityListeners) listener(identity);
    const ca = this.#material.ca;
    if (ca !== undefined) for (const listener of this.#caListeners) listener({ caCertificate: ca });
    for (const listener of this.#listeners) listener(this.#material);
  }
}

function sameBytes(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

/**
 * Reads and checks the PEM files of `spec` now, then follows them (see {@link CertificateFiles}).
 *
 * @throws TlsFileError naming the setting of a file that cannot be read, parsed or paired (a key not of its certificate).
 */
export function loadCertificateFiles(spec: CertificateFilesSpec, options: CertificateFilesOptions = {}): CertificateFiles {
  const material: Record<string, Buffer> = {};
  for (const { part, file } of filesOf(spec)) {
    try {
      material[part] = readFileSync(file.path);
    } catch (error) {
      throw readProblem(file, error);
    }
  }
  check(spec, material);
  return new CertificateFiles(spec, material, options);
}
