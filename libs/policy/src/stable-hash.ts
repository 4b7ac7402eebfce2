function finish(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * A number in (0, 1), uniform over texts and the same for the same text in every process and version: 52 bits
 * of two 32-bit FNV-1a style hashes of the UTF-16 code units (different primes and seeds), each finished with
 * murmur3's avalanche step. Not cryptographic.
 */
export function stableUnit(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 15;
  }
  const high = finish(a ^ Math.imul(b, 0x27d4eb2d));
  const low = finish(b + text.length) >>> 12;
  return (high * 2 ** 20 + low + 0.5) / 2 ** 52;
}
