import { Code, isRpcError, loadCertificateFiles, TlsFileError, type ClientTls, type PemFile } from "@modelrouter/rpc-kit";
import { UsageError } from "./io.js";

/** The CLI's TLS settings, from its flags and environment. */
export interface CliTlsSettings {
  /** `--tls-ca`, else `$MODELROUTER_TLS_CA`: the CAs that sign the servers' certificates. */
  readonly ca?: string | undefined;
  /** `--tls-cert` and `--tls-key`, else `$MODELROUTER_TLS_CLIENT_CERT` and `_KEY`: the client certificate (mTLS). */
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

const SCHEMES: Readonly<Record<string, boolean>> = { "https://": true, "grpcs://": true, "http://": false, "grpc://": false };

/** An address as given (`host:port`, `https://host:port`, `grpcs://host:port`, …): the `host:port` and whether its scheme asks for TLS. */
export function parseAddress(given: string): { readonly address: string; readonly tls: boolean | undefined } {
  for (const [scheme, tls] of Object.entries(SCHEMES)) {
    if (given.toLowerCase().startsWith(scheme)) return { address: given.slice(scheme.length).replace(/\/+$/, ""), tls };
  }
  return { address: given, tls: undefined };
}

/**
 * The TLS of the CLI's calls: on when a CA or client certificate is given or an address asks for it (then the
 * server is verified with the CA given, else with the CAs this machine trusts); undefined: plaintext.
 *
 * @throws UsageError naming the flag of a file that cannot be read or used, or a certificate without its key.
 */
export function cliTls(settings: CliTlsSettings, addressWantsTls: boolean): ClientTls | undefined {
  const { ca, cert, key } = settings;
  if ((cert === undefined) !== (key === undefined)) throw new UsageError("--tls-cert and --tls-key go together: give both (the client certificate and its key) or neither");
  if (ca === undefined && cert === undefined && !addressWantsTls) return undefined;
  const file = (setting: string, path: string): PemFile => ({ setting, path });
  try {
    const files = loadCertificateFiles(
      {
        ca: ca === undefined ? undefined : file("--tls-ca", ca),
        identity: cert === undefined || key === undefined ? undefined : { cert: file("--tls-cert", cert), key: file("--tls-key", key) },
      },
      // A CLI call is short: no reloads to follow (the watch would not keep the process alive anyway).
      { pollIntervalMs: 60_000 },
    );
    return { files };
  } catch (error) {
    if (error instanceof TlsFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** What a failed call's TLS error means for the person at the CLI, or undefined when it is no TLS error. */
export function tlsHint(error: unknown, tls: ClientTls | undefined): string | undefined {
  if (!isRpcError(error) || error.code !== Code.UNAVAILABLE) return undefined;
  const message = error.message;
  const caGiven = tls?.files.spec.ca !== undefined;
  if (/unable to verify|self[- ]signed certificate|unable to get (local )?issuer certificate|certificate signature failure/i.test(message)) {
    return caGiven
      ? "the server's certificate is not signed by the CA in --tls-ca (or MODELROUTER_TLS_CA): give the CA bundle that signed it"
      : "the server's certificate is not signed by a CA this machine trusts: give its CA bundle with --tls-ca FILE (or MODELROUTER_TLS_CA)";
  }
  if (/certificate required/i.test(message)) return "the server requires a client certificate (mTLS): give --tls-cert FILE and --tls-key FILE";
  if (/unknown ca|bad certificate/i.test(message)) return "the server refused the client certificate of --tls-cert: it is not signed by a CA the server trusts";
  if (/altnames|does not match certificate|ERR_TLS_CERT_ALTNAME_INVALID/i.test(message)) {
    return "the server's certificate is not issued for the host name of the address: call it by a name the certificate carries";
  }
  if (/certificate has expired|certificate is not yet valid/i.test(message)) return "the server's certificate is expired or not yet valid: the server must renew it";
  if (/wrong version number|packet length too long|before secure TLS connection was established/i.test(message)) {
    return tls === undefined ? undefined : "the server does not speak TLS: drop --tls-ca/--tls-cert and the https:// scheme, or turn TLS on at the server";
  }
  if (tls === undefined && /No connection established/.test(message)) {
    return "is the server running at that address? If it serves TLS, give --tls-ca FILE (or an https:// address)";
  }
  return undefined;
}
