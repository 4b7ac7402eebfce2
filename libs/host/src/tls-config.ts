import { ConfigError, type EnvReader } from "@modelrouter/config";
import { loadCertificateFiles, TlsFileError, type CertificateFiles, type ClientTls, type PemFile, type ServerTls } from "@modelrouter/rpc-kit";
import type { Logger } from "@modelrouter/telemetry";

/** The TLS settings of a process: paths of PEM files, each unset when its variable is. */
export interface TlsConfig {
  /** `MODELROUTER_TLS_CERT` and `MODELROUTER_TLS_KEY`: this process's certificate chain and key; set, every listener serves TLS only. */
  readonly cert?: PemFile | undefined;
  readonly key?: PemFile | undefined;
  /** `MODELROUTER_TLS_CLIENT_CA`: set, every listener requires a client certificate signed by one of these CAs (mTLS). */
  readonly clientCa?: PemFile | undefined;
  /** `MODELROUTER_TLS_CA`: set, the process calls other modelrouter services over TLS, verifying them with these CAs. */
  readonly ca?: PemFile | undefined;
  /** `MODELROUTER_TLS_CLIENT_CERT` and `_KEY`: the certificate presented on those calls when a server asks; default the process's own. */
  readonly clientCert?: PemFile | undefined;
  readonly clientKey?: PemFile | undefined;
}

function pemFile(env: EnvReader, setting: string): PemFile | undefined {
  const path = env.optionalString(setting);
  return path === undefined ? undefined : { path, setting };
}

/**
 * Reads `MODELROUTER_TLS_CERT`, `MODELROUTER_TLS_KEY`, `MODELROUTER_TLS_CLIENT_CA`, `MODELROUTER_TLS_CA`,
 * `MODELROUTER_TLS_CLIENT_CERT` and `MODELROUTER_TLS_CLIENT_KEY` and checks how they go together (the files
 * themselves are read by {@link loadServiceTls}).
 */
export function readTlsConfig(env: EnvReader): TlsConfig {
  const config: TlsConfig = {
    cert: pemFile(env, "MODELROUTER_TLS_CERT"),
    key: pemFile(env, "MODELROUTER_TLS_KEY"),
    clientCa: pemFile(env, "MODELROUTER_TLS_CLIENT_CA"),
    ca: pemFile(env, "MODELROUTER_TLS_CA"),
    clientCert: pemFile(env, "MODELROUTER_TLS_CLIENT_CERT"),
    clientKey: pemFile(env, "MODELROUTER_TLS_CLIENT_KEY"),
  };
  if ((config.cert === undefined) !== (config.key === undefined)) {
    env.problem("MODELROUTER_TLS_CERT and MODELROUTER_TLS_KEY go together: set both (the certificate chain and its key, PEM files) or neither");
  }
  if (config.clientCa !== undefined && config.cert === undefined) {
    env.problem("MODELROUTER_TLS_CLIENT_CA requires client certificates over TLS: also set MODELROUTER_TLS_CERT and MODELROUTER_TLS_KEY, or unset it");
  }
  if ((config.clientCert === undefined) !== (config.clientKey === undefined)) {
    env.problem("MODELROUTER_TLS_CLIENT_CERT and MODELROUTER_TLS_CLIENT_KEY go together: set both or neither");
  }
  if (config.clientCert !== undefined && config.ca === undefined) {
    env.problem("MODELROUTER_TLS_CLIENT_CERT is presented on calls over TLS: also set MODELROUTER_TLS_CA (the CAs that sign the services' certificates), or unset it");
  }
  return config;
}

/** A process's TLS, from its {@link TlsConfig}: the files read and followed. */
export interface ServiceTls {
  /** How every listener serves TLS; undefined: plaintext. */
  readonly server: ServerTls | undefined;
  /** How calls to other modelrouter services use TLS; undefined: plaintext. */
  readonly client: ClientTls | undefined;
  /** Whether the listeners require client certificates. */
  readonly mutual: boolean;
  /** Stops following the files. */
  close(): void;
}

/** Options of {@link loadServiceTls}. */
export interface ServiceTlsOptions {
  /** How often the files are checked for a change, in ms. Default 1000. */
  readonly pollIntervalMs?: number;
}

/**
 * Reads and checks the PEM files of `config` now and follows them: a changed file is taken for new connections
 * without a restart (logged at info with the certificate's serial number); a changed file that cannot be used is
 * logged as a warning naming it, and the files read before stay in use.
 *
 * @throws ConfigError naming the variable of a file that cannot be read or parsed, or a key not of its certificate.
 */
export function loadServiceTls(config: TlsConfig, logger: Logger, options: ServiceTlsOptions = {}): ServiceTls {
  const opened: CertificateFiles[] = [];
  const load = (spec: Parameters<typeof loadCertificateFiles>[0], role: string): CertificateFiles => {
    const files = loadCertificateFiles(spec, {
      ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      onRejected: (problem) => logger.warn(`TLS ${role} files changed but cannot be used: ${problem}`),
      onReloaded: (summary) => logger.info(`TLS ${role} files reloaded`, { summary }),
    });
    opened.push(files);
    return files;
  };
  const close = (): void => {
    for (const files of opened) files.close();
  };
  try {
    const identity = config.cert !== undefined && config.key !== undefined ? { cert: config.cert, key: config.key } : undefined;
    const server = identity === undefined ? undefined : { files: load({ identity, ca: config.clientCa }, "server") };
    const clientIdentity = config.clientCert !== undefined && config.clientKey !== undefined ? { cert: config.clientCert, key: config.clientKey } : identity;
    const client = config.ca === undefined ? undefined : { files: load({ ca: config.ca, identity: clientIdentity }, "client") };
    return { server, client, mutual: config.clientCa !== undefined && server !== undefined, close };
  } catch (error) {
    close();
    if (error instanceof TlsFileError) throw new ConfigError([error.message]);
    throw error;
  }
}

/** A process without TLS: every listener and call plaintext. */
export const PLAINTEXT: ServiceTls = { server: undefined, client: undefined, mutual: false, close: () => undefined };
