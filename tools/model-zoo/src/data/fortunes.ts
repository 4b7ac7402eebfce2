import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRng } from "../rng.js";
import { splitPayloads, type LabelledPayload, type PayloadDataset } from "./payload.js";

/** Debian's `fortunes` folder. */
export const FORTUNES_DIR = "/usr/share/games/fortunes";
/** The topics, in output order: each a fortune file of that name. */
export const FORTUNE_TOPICS = ["computers", "politics", "science", "food", "sports", "medicine"] as const;
/** Seed of the split. */
export const FORTUNES_SPLIT_SEED = 20261207;
/** Share of the fortunes held out. */
export const FORTUNES_TEST_FRACTION = 0.25;

/** The entries of a fortune file: texts separated by lines holding only `%`, trimmed, empty ones dropped. */
export function fortuneEntries(file: string): string[] {
  return file
    .split(/^%$/m)
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** The topic-labelled fortunes of {@link FORTUNE_TOPICS}, split 75/25 with a seeded shuffle. */
export function loadFortunesDataset(dir = FORTUNES_DIR): PayloadDataset {
  const missing = FORTUNE_TOPICS.filter((topic) => !existsSync(join(dir, topic)));
  if (missing.length > 0) {
    throw new Error(`${dir}: no fortune file ${missing.join(", ")}: install them with "apt-get install -y --no-install-recommends fortunes"`);
  }
  const counts: string[] = [];
  const items: LabelledPayload[] = FORTUNE_TOPICS.flatMap((topic, label) => {
    const entries = fortuneEntries(readFileSync(join(dir, topic), "utf8"));
    counts.push(`${topic} ${entries.length}`);
    return entries.map((text) => ({ payload: { text }, label }));
  });
  const { train, test } = splitPayloads(items, FORTUNES_TEST_FRACTION, createRng(FORTUNES_SPLIT_SEED).shuffle);
  return {
    name: "fortunes-topics",
    classes: FORTUNE_TOPICS,
    train,
    test,
    description:
      `Debian's \`fortunes\` package (\`${dir}/<topic>\`, entries separated by \`%\` lines): ${counts.join(", ")} ` +
      `(${items.length.toLocaleString("en-US")} texts; quotes, jokes and slogans, so topics overlap and the classes are unbalanced). ` +
      `Fixed split: a mulberry32 shuffle with seed ${FORTUNES_SPLIT_SEED}, ${Math.round(FORTUNES_TEST_FRACTION * 100)} % held out ` +
      `(${test.length} texts), ${train.length} for training.`,
  };
}
