/** Counts over a text, taken in one pass without copying it. */
export interface TextStats {
  /** Unicode code points (a lone surrogate counts as one). */
  readonly codePoints: number;
  /** Maximal runs of non-white-space code points. Scripts written without spaces count as one word per run. */
  readonly words: number;
  /** The text's length in UTF-8 (a lone surrogate as the 3 bytes of U+FFFD, as a protobuf encoder writes it). */
  readonly utf8Bytes: number;
  /** True when the text holds a C0 control character other than tab, line feed, vertical tab, form feed and carriage return, or DEL: a sign of binary data. */
  readonly hasControlCharacters: boolean;
  /** Line feeds (U+000A). */
  readonly lineFeeds: number;
  /** True when the last code point is a line feed. */
  readonly endsWithLineFeed: boolean;
  /**
   * Four times the token estimate: 1 per ASCII code point, 2 per code point of two UTF-8 bytes, 4 per any other
   * (see `tokenEstimate`). An integer, so that counting is exact.
   */
  readonly tokenQuarters: number;
}

/** Lines of a text with these counts: line feeds, plus one unless the text ends with one (0 for empty text). */
export function lineCount(stats: TextStats): number {
  if (stats.codePoints === 0) return 0;
  return stats.lineFeeds + (stats.endsWithLineFeed ? 0 : 1);
}

/**
 * A cheap estimate of the tokens a subword tokenizer (BPE, WordPiece) makes of the text: about four ASCII
 * characters per token (the usual rule for English), two characters per token for the other alphabets of two
 * UTF-8 bytes (accented Latin, Greek, Cyrillic, Hebrew, Arabic), and one token per character of three or four
 * bytes (CJK, Indic scripts, Thai, emoji), rounded up.
 */
export function tokenEstimate(stats: TextStats): number {
  return Math.ceil(stats.tokenQuarters / 4);
}

/** Unicode White_Space. */
function isWhiteSpace(cp: number): boolean {
  if (cp <= 0x20) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d);
  if (cp < 0x85) return false;
  return (
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

function isControl(cp: number): boolean {
  return (cp < 0x20 && (cp < 0x09 || cp > 0x0d)) || cp === 0x7f;
}

/** {@link TextStats} of a JavaScript string. */
export function stringTextStats(text: string): TextStats {
  let codePoints = 0;
  let words = 0;
  let utf8Bytes = 0;
  let control = false;
  let inWord = false;
  let lineFeeds = 0;
  let quarters = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    codePoints++;
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        utf8Bytes += 4;
        i++;
      } else {
        utf8Bytes += 3;
      }
      quarters += 4;
      if (!inWord) words++;
      inWord = true;
      continue;
    }
    utf8Bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    quarters += c < 0x80 ? 1 : c < 0x800 ? 2 : 4;
    if (c === 0x0a) lineFeeds++;
    if (isWhiteSpace(c)) inWord = false;
    else {
      if (!inWord) words++;
      inWord = true;
      if (isControl(c)) control = true;
    }
  }
  const endsWithLineFeed = n > 0 && text.charCodeAt(n - 1) === 0x0a;
  return { codePoints, words, utf8Bytes, hasControlCharacters: control, lineFeeds, endsWithLineFeed, tokenQuarters: quarters };
}

/** Lead bytes of the only multi-byte sequences that can encode white space (U+0085 … U+3000). */
function mayBeWhiteSpaceLead(b: number): boolean {
  return b === 0xc2 || b === 0xe1 || b === 0xe2 || b === 0xe3;
}

/**
 * {@link TextStats} of bytes that are valid UTF-8 (check with `isUtf8` first). One pass over the bytes;
 * only sequences that may be white space are decoded.
 */
export function utf8TextStats(bytes: Uint8Array): TextStats {
  let codePoints = 0;
  let words = 0;
  let control = false;
  let inWord = false;
  let lineFeeds = 0;
  let quarters = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      codePoints++;
      quarters++;
      if (b === 0x0a) lineFeeds++;
      if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) inWord = false;
      else {
        if (!inWord) words++;
        inWord = true;
        if (b < 0x20 || b === 0x7f) control = true;
      }
    } else if (b >= 0xc0) {
      codePoints++;
      quarters += b < 0xe0 ? 2 : 4;
      let space = false;
      if (mayBeWhiteSpaceLead(b)) {
        const cp =
          b < 0xe0
            ? ((b & 0x1f) << 6) | ((bytes[i + 1] ?? 0) & 0x3f)
            : ((b & 0x0f) << 12) | (((bytes[i + 1] ?? 0) & 0x3f) << 6) | ((bytes[i + 2] ?? 0) & 0x3f);
        space = isWhiteSpace(cp);
      }
      if (space) inWord = false;
      else {
        if (!inWord) words++;
        inWord = true;
      }
    }
  }
  const endsWithLineFeed = n > 0 && bytes[n - 1] === 0x0a;
  return { codePoints, words, utf8Bytes: n, hasControlCharacters: control, lineFeeds, endsWithLineFeed, tokenQuarters: quarters };
}
