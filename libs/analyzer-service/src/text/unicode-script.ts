/**
 * Letters' Unicode scripts by block: [first, last, script], sorted by first code point. Coarse on purpose (whole
 * blocks; digits, punctuation, symbols and combining marks belong to no script here), which is enough to tell
 * which writing system a text is in.
 */
const SCRIPT_RANGES: ReadonlyArray<readonly [number, number, string]> = [
  [0x41, 0x5a, "Latin"],
  [0x61, 0x7a, "Latin"],
  [0xc0, 0xd6, "Latin"],
  [0xd8, 0xf6, "Latin"],
  [0xf8, 0x24f, "Latin"],
  [0x370, 0x3ff, "Greek"],
  [0x400, 0x52f, "Cyrillic"],
  [0x531, 0x58f, "Armenian"],
  [0x591, 0x5ff, "Hebrew"],
  [0x600, 0x6ff, "Arabic"],
  [0x750, 0x77f, "Arabic"],
  [0x8a0, 0x8ff, "Arabic"],
  [0x900, 0x97f, "Devanagari"],
  [0x980, 0x9ff, "Bengali"],
  [0xa00, 0xa7f, "Gurmukhi"],
  [0xa80, 0xaff, "Gujarati"],
  [0xb00, 0xb7f, "Oriya"],
  [0xb80, 0xbff, "Tamil"],
  [0xc00, 0xc7f, "Telugu"],
  [0xc80, 0xcff, "Kannada"],
  [0xd00, 0xd7f, "Malayalam"],
  [0xd80, 0xdff, "Sinhala"],
  [0xe00, 0xe7f, "Thai"],
  [0xe80, 0xeff, "Lao"],
  [0xf00, 0xfff, "Tibetan"],
  [0x1000, 0x109f, "Myanmar"],
  [0x10a0, 0x10ff, "Georgian"],
  [0x1100, 0x11ff, "Hangul"],
  [0x1200, 0x139f, "Ethiopic"],
  [0x1780, 0x17ff, "Khmer"],
  [0x1c80, 0x1c8f, "Cyrillic"],
  [0x1c90, 0x1cbf, "Georgian"],
  [0x1e00, 0x1eff, "Latin"],
  [0x1f00, 0x1fff, "Greek"],
  [0x2c60, 0x2c7f, "Latin"],
  [0x2de0, 0x2dff, "Cyrillic"],
  [0x3040, 0x309f, "Hiragana"],
  [0x30a0, 0x30ff, "Katakana"],
  [0x3130, 0x318f, "Hangul"],
  [0x31f0, 0x31ff, "Katakana"],
  [0x3400, 0x4dbf, "Han"],
  [0x4e00, 0x9fff, "Han"],
  [0xa640, 0xa69f, "Cyrillic"],
  [0xa720, 0xa7ff, "Latin"],
  [0xac00, 0xd7af, "Hangul"],
  [0xf900, 0xfaff, "Han"],
  [0xfb1d, 0xfb4f, "Hebrew"],
  [0xfb50, 0xfdff, "Arabic"],
  [0xfe70, 0xfeff, "Arabic"],
  [0xff21, 0xff3a, "Latin"],
  [0xff41, 0xff5a, "Latin"],
  [0xff66, 0xff9f, "Katakana"],
  [0xffa0, 0xffdc, "Hangul"],
  [0x20000, 0x323af, "Han"],
];

/** The script of a letter's code point, or undefined for anything that is not a letter of a listed script. */
export function scriptOf(cp: number): string | undefined {
  let lo = 0;
  let hi = SCRIPT_RANGES.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [first, last, script] = SCRIPT_RANGES[mid] as readonly [number, number, string];
    if (cp < first) hi = mid - 1;
    else if (cp > last) lo = mid + 1;
    else return script;
  }
  return undefined;
}

/**
 * The script most of the sample's letters are written in ("Latin", "Cyrillic", "Han", …), or "" when the sample
 * has no letter of a known script. A tie goes to the script that reached the count first. Japanese mixes Han with
 * Hiragana and Katakana, so its dominant script is whichever of them has most letters.
 */
export function dominantScript(sample: string): string {
  const counts = new Map<string, number>();
  let best = "";
  let bestCount = 0;
  for (const char of sample) {
    const script = scriptOf(char.codePointAt(0) as number);
    if (script === undefined) continue;
    const count = (counts.get(script) ?? 0) + 1;
    counts.set(script, count);
    if (count > bestCount) {
      best = script;
      bestCount = count;
    }
  }
  return best;
}
