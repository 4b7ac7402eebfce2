import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The openssl binary the tests use (Debian's `openssl`; present here and on CI). */
export const OPENSSL = "/usr/bin/openssl";

/** A certificate and its key, as PEM files, and the certificate's serial number (uppercase hex, as node prints it). */
export interface IssuedCertificate {
  readonly cert: string;
  readonly key: string;
  readonly serial: string;
}

/** A certificate authority of a test run: its certificate file, and how to issue certificates signed by it. */
export interface TestCa {
  /** The CA's certificate (the bundle to trust), a PEM file. */
  readonly cert: string;
  /**
   * Issues a leaf certificate for `localhost` and `127.0.0.1` (serverAuth and clientAuth), with a fresh random
   * serial, into `<name>.crt` and `<name>.key` of the directory (replacing files of that name).
   */
  issue(name: string): Promise<IssuedCertificate>;
}

/** Throwaway certificates of one test run, in a temporary directory. */
export interface TestCertificates {
  readonly dir: string;
  /** The CA that signed `server` and `client`. */
  readonly ca: TestCa;
  /** A server certificate signed by `ca`. */
  readonly server: IssuedCertificate;
  /** A client certificate signed by `ca`. */
  readonly client: IssuedCertificate;
  /** A second, unrelated CA (to see a certificate it signed refused). */
  otherCa(): Promise<TestCa>;
  /** Deletes the directory. */
  remove(): Promise<void>;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  try {
    await run(OPENSSL, args, { cwd, timeout: 20_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new Error(`openssl ${args.slice(0, 2).join(" ")} failed: ${stderr.trim() || (error as Error).message}`);
  }
}

const KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];

async function createCa(dir: string, name: string): Promise<TestCa> {
  await openssl(
    ["req", "-x509", ...KEY, "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "2", "-subj", `/CN=${name}`,
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    dir,
  );
  const extensions = join(dir, `${name}.ext`);
  await writeFile(extensions, "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n");
  return {
    cert: join(dir, `${name}.crt`),
    async issue(leaf) {
      const serial = randomBytes(8).toString("hex").replace(/^0+/, "").toUpperCase() || "1";
      await openssl(["req", ...KEY, "-keyout", `${leaf}.key.new`, "-out", `${leaf}.csr`, "-subj", `/CN=${leaf}`], dir);
      await openssl(
        ["x509", "-req", "-in", `${leaf}.csr`, "-CA", `${name}.crt`, "-CAkey", `${name}.key`, "-set_serial", `0x${serial}`,
          "-days", "2", "-extfile", extensions, "-out", `${leaf}.crt.new`],
        dir,
      );
      // Moved into place, key first, as an operator's tooling would: a watcher never reads half a file.
      await rename(join(dir, `${leaf}.key.new`), join(dir, `${leaf}.key`));
      await rename(join(dir, `${leaf}.crt.new`), join(dir, `${leaf}.crt`));
      return { cert: join(dir, `${leaf}.crt`), key: join(dir, `${leaf}.key`), serial };
    },
  };
}

/**
 * Generates a throwaway CA, a server and a client certificate (SANs `localhost` and `127.0.0.1`, valid two
 * days) with `/usr/bin/openssl` into a new temporary directory. Call `remove()` when done.
 */
export async function createTestCertificates(): Promise<TestCertificates> {
  const dir = await mkdtemp(join(tmpdir(), "modelrouter-tls-"));
  const ca = await createCa(dir, "ca");
  const [server, client] = await Promise.all([ca.issue("server"), ca.issue("client")]);
  return {
    dir,
    ca,
    server,
    client,
    otherCa: () => createCa(dir, `other-ca-${randomBytes(3).toString("hex")}`),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
