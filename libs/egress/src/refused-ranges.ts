import { type Cidr, type IpAddress, inCidr, parseCidr } from "./ip-address.js";

/** A block of addresses refused by default, and why. */
interface RefusedRange {
  readonly cidr: Cidr;
  readonly what: string;
}

const range = (text: string, what: string): RefusedRange => ({ cidr: parseCidr(text)!, what });

/** Cloud metadata services first, so that an address gets the most telling reason. */
const REFUSED: readonly RefusedRange[] = [
  range("169.254.169.254/32", "a cloud metadata service (AWS, GCP, Azure, OpenStack, Oracle)"),
  range("169.254.170.2/32", "a cloud metadata service (AWS ECS task credentials)"),
  range("100.100.100.200/32", "a cloud metadata service (Alibaba Cloud)"),
  range("168.63.129.16/32", "a cloud platform service (Azure WireServer)"),
  range("fd00:ec2::254/128", "a cloud metadata service (AWS, over IPv6)"),
  range("0.0.0.0/8", "the unspecified address range (0.0.0.0/8, which reaches this host)"),
  range("127.0.0.0/8", "loopback (127.0.0.0/8)"),
  range("169.254.0.0/16", "link-local (169.254.0.0/16)"),
  range("224.0.0.0/4", "multicast (224.0.0.0/4)"),
  range("255.255.255.255/32", "broadcast (255.255.255.255)"),
  range("240.0.0.0/4", "reserved (240.0.0.0/4)"),
  range("::/128", "the unspecified address (::)"),
  range("::1/128", "loopback (::1)"),
  range("fe80::/10", "link-local (fe80::/10)"),
  range("fec0::/10", "site-local (fec0::/10, deprecated)"),
  range("ff00::/8", "multicast (ff00::/8)"),
];

/** IPv6 blocks that carry an IPv4 address, and where: the address is refused when the IPv4 one is. */
const EMBEDDING: readonly { readonly cidr: Cidr; readonly form: string; readonly ipv4: (bits: bigint) => bigint }[] = [
  { cidr: parseCidr("::ffff:0:0/96")!, form: "IPv4-mapped", ipv4: (bits) => bits & 0xffffffffn },
  { cidr: parseCidr("::/96")!, form: "IPv4-compatible", ipv4: (bits) => bits & 0xffffffffn },
  { cidr: parseCidr("::ffff:0:0:0/96")!, form: "IPv4-translated", ipv4: (bits) => bits & 0xffffffffn },
  { cidr: parseCidr("64:ff9b::/96")!, form: "NAT64", ipv4: (bits) => bits & 0xffffffffn },
  { cidr: parseCidr("64:ff9b:1::/48")!, form: "local NAT64", ipv4: (bits) => bits & 0xffffffffn },
  { cidr: parseCidr("2002::/16")!, form: "6to4", ipv4: (bits) => (bits >> 80n) & 0xffffffffn },
  { cidr: parseCidr("2001::/32")!, form: "Teredo", ipv4: (bits) => ~bits & 0xffffffffn },
];

/**
 * Why `address` is refused by default, or undefined when it is not: loopback, unspecified, link-local,
 * cloud metadata, multicast, broadcast and reserved addresses, and IPv6 forms carrying one of them
 * (IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo). Private ranges are not refused.
 */
export function refusedRangeOf(address: IpAddress): string | undefined {
  const direct = REFUSED.find((refused) => inCidr(address, refused.cidr));
  if (direct !== undefined) return direct.what;
  for (const embedding of EMBEDDING) {
    if (!inCidr(address, embedding.cidr)) continue;
    const inner = refusedRangeOf({ version: 4, bits: embedding.ipv4(address.bits) });
    if (inner !== undefined) return `${inner}, in its ${embedding.form} IPv6 form`;
  }
  return undefined;
}

/** The addresses an IPv6 address stands for: itself and, in an embedding form, its IPv4 address. */
export function addressForms(address: IpAddress): readonly IpAddress[] {
  if (address.version === 4) return [address];
  const embedded = EMBEDDING.filter((embedding) => inCidr(address, embedding.cidr)).map(
    (embedding): IpAddress => ({ version: 4, bits: embedding.ipv4(address.bits) }),
  );
  return [address, ...embedded];
}

/** Names that reach a cloud metadata service or this host, refused by default (and every `*.localhost`). */
export const REFUSED_NAMES: ReadonlyMap<string, string> = new Map([
  ["localhost", "this host (localhost)"],
  ["localhost.localdomain", "this host (localhost)"],
  ["ip6-localhost", "this host (localhost)"],
  ["ip6-loopback", "this host (localhost)"],
  ["metadata", "a cloud metadata service"],
  ["metadata.google.internal", "a cloud metadata service (GCP)"],
  ["metadata.goog", "a cloud metadata service (GCP)"],
  ["metadata.azure.com", "a cloud metadata service (Azure)"],
  ["metadata.tencentyun.com", "a cloud metadata service (Tencent Cloud)"],
  ["instance-data", "a cloud metadata service (AWS)"],
  ["instance-data.ec2.internal", "a cloud metadata service (AWS)"],
  ["metadata.platformequinix.com", "a cloud metadata service (Equinix Metal)"],
  ["kubernetes.default", "the Kubernetes API server"],
  ["kubernetes.default.svc", "the Kubernetes API server"],
]);

/** Why a (normalised, lower-case, without trailing dot) name is refused by default, or undefined. */
export function refusedNameOf(name: string): string | undefined {
  const known = REFUSED_NAMES.get(name);
  if (known !== undefined) return known;
  if (name.endsWith(".localhost")) return "this host (a *.localhost name)";
  if (name.startsWith("kubernetes.default.svc.")) return "the Kubernetes API server";
  return undefined;
}
