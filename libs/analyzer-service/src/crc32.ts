/**
 * CRC-32 (ISO-HDLC, the one PNG and zlib use) of `length` bytes at `offset`, bit by bit: PNG only needs it
 * for the 17 bytes of the IHDR chunk, so a lookup table would cost more than it saves.
 */
export function crc32(bytes: Uint8Array, offset: number, length: number): number {
  let crc = 0xffffffff;
  const end = Math.min(bytes.length, offset + length);
  for (let i = Math.max(0, offset); i < end; i++) {
    crc ^= bytes[i] as number;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
