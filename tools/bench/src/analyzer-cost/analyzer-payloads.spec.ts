import { beforeAll, describe, expect, it } from "@jest/globals";
import { type AnalyzerService, AnalyzerService as AnalyzerServiceDesc, Modality } from "@modelrouter/contracts";
import { createAnalyzerService, createLanguageDetector } from "@modelrouter/analyzer-service";
import { type ServiceClient, createDirectClient } from "@modelrouter/rpc-kit";
import { repoRoot } from "@modelrouter/testing";
import { type CostCase, costCases } from "./analyzer-payloads.js";
import { renderCostMarkdown } from "./analyzer-cost-report.js";

let client: ServiceClient<typeof AnalyzerService>;
let cases: readonly CostCase[];
beforeAll(async () => {
  cases = costCases(repoRoot);
  const impl = createAnalyzerService({ languageDetector: await createLanguageDetector() });
  client = createDirectClient(AnalyzerServiceDesc, impl, { defaultTimeoutMs: 10_000 });
});

const profileOf = async (name: string) => {
  const costCase = cases.find((c) => c.name === name);
  if (costCase === undefined) throw new Error(`no cost case ${name}`);
  return (await client.analyze({ payload: costCase.payload })).profile!;
};

describe("the analyzer cost scenario's payloads", () => {
  it("are each profiled as the modality they stand for", async () => {
    const modalities = await Promise.all(cases.map(async (c) => [c.name, (await profileOf(c.name)).modality]));
    expect(Object.fromEntries(modalities)).toEqual({
      "image-28": Modality.IMAGE,
      "image-256": Modality.IMAGE,
      "image-640": Modality.IMAGE,
      "wav-1s": Modality.AUDIO,
      "wav-10s": Modality.AUDIO,
      sentence: Modality.TEXT,
      "sentence-fr": Modality.TEXT,
      "json-row": Modality.TABULAR,
    });
  });

  it("put the 256×256 image within the decode budget and the 640×480 one beyond it", async () => {
    expect((await profileOf("image-256")).image?.pixelsAnalyzed).toBe(256 * 256);
    expect((await profileOf("image-640")).image?.pixelsAnalyzed).toBe(0);
  });

  it("have speech-like audio, analysed in full, and a JSON row with a samples array", async () => {
    const audio = (await profileOf("wav-10s")).audio!;
    expect(audio.speechRatio).toBeGreaterThan(0.2);
    expect(audio.analyzedSeconds).toBe(10);
    expect((await profileOf("json-row")).tabular?.fields["samples"]).toMatchObject({ type: "array", minLength: 64, maxLength: 64 });
  });
});

describe("the analyzer cost report", () => {
  it("is a Markdown table with one row per payload, naming the command that refreshes it", () => {
    const markdown = renderCostMarkdown(
      [{ name: "image-28", description: "a digit", bytes: 287, medianUs: 84.51, p90Us: 141.46 }],
      1000,
      "a machine",
    );
    expect(markdown).toContain("`node tools/bench/dist/analyzer-cost/main.js --write` (1000 sequential in-process calls per payload after warm-up; a machine)");
    expect(markdown.split("\n").slice(-1)).toEqual(["| `image-28` | a digit | 287 | 84.5 | 141.5 |"]);
  });
});
