/** An IP address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly bits: bigint;
}

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Parses an address as a resolver or a normalised URL writes it: a dotted quad of decimal numbers
 * (`10.0.0.1`), or IPv6 text (`fd00::1`, `::ffff:127.0.0.1`; brackets and a `%zone` are dropped).
 * Undefined for anything else (names, and the looser IPv4 forms a URL parser accepts: parse URLs first).
 */
export function parseIp(text: string): IpAddress | undefined {
  if (DOTTED_QUAD.test(text)) return { version: 4, bits: ipv4Bits(text) };
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  return parseIpv6(bare.replace(/%[^%]*$/, ""));
}

function ipv4Bits(quad: string): bigint {
  return quad.split(".").reduce((bits, part) => (bits << 8n) | BigInt(Number(part)), 0n);
}

function parseIpv6(text: string): IpAddress | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || text.length > 45) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : (halves[0] ?? "").split(":");
  const tail = halves.length === 2 && halves[1] !== "" ? (halves[1] ?? "").split(":") : [];
  const words: number[] = [];
  const last = (halves.length === 2 ? tail : head).at(-1);
  if (last !== undefined && last.includes(".")) {
    if (!DOTTED_QUAD.test(last)) return undefined;
    const v4 = ipv4Bits(last);
    const list = halves.length === 2 ? tail : head;
    list.splice(-1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 && missing < 1) return undefined;
  const groups = halves.length === 2 ? [...head, ...Array<string>(missing).fill("0"), ...tail] : head;
  if (groups.length !== 8) return undefined;
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    words.push(parseInt(group, 16));
  }
  return { version: 6, bits: words.reduce((bits, word) => (bits << 16n) | BigInt(word), 0n) };
}

/** A block of addresses: every address whose first `prefix` bits equal those of `base`. */
export interface Cidr {
  readonly base: IpAddress;
  readonly prefix: number;
}

/** Parses `10.0.0.0/8`, `fd00::/8`, or a single address (a /32 or /128). Undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const [address, prefixText, ...rest] = text.split("/");
  if (rest.length > 0 || address === undefined) return undefined;
  const base = parseIp(address);
  if (base === undefined) return undefined;
  const width = base.version === 4 ? 32 : 128;
  if (prefixText === undefined) return { base, prefix: width };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > width) return undefined;
  return { base, prefix: Number(prefixText) };
}

/** Whether `address` is in `cidr` (never across IP versions). */
export function inCidr(address: IpAddress, cidr: Cidr): boolean {
  if (address.version !== cidr.base.version) return false;
  const shift = BigInt((address.version === 4 ? 32 : 128) - cidr.prefix);
  return address.bits >> shift === cidr.base.bits >> shift;
}
