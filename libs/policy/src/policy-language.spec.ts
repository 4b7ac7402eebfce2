import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "@jest/globals";
import { DataType, InputProfileSchema, type InputProfile, Modality, type RequestContext } from "@modelrouter/contracts";
import { type PolicyViolation, compilePolicy, explainPolicies } from "./index.js";
import {
  NOON,
  compiled,
  imageInput,
  model,
  modelTarget,
  noRandom,
  policy,
  requestContext,
  route,
  rule,
  textInput,
} from "./policy-fixtures.test-support.js";

const anyModality = { modality: Modality.UNSPECIFIED };
const catalogue = [model("m", "1", anyModality), model("d", "1", anyModality)];

/** Evaluates `when` as the only rule of a policy and reports whether it matched, and the run-time error. */
function evaluate(
  when: string,
  profile: InputProfile = imageInput(),
  context?: RequestContext,
  now: Date | number = NOON,
): { matched: boolean; error: string } {
  const p = compiled({ name: "p", rules: [rule("r", when, route([modelTarget("m")]))], defaultRoute: route([modelTarget("d")]) });
  const outcome = explainPolicies({ policies: [p], catalogue, profile, context, now, random: noRandom });
  if (outcome.kind !== "decided") throw outcome.error;
  const evaluation = outcome.result.decision.explanation?.policies[0]?.rules[0];
  return { matched: evaluation?.matched ?? false, error: evaluation?.error ?? "" };
}

function holds(when: string, profile?: InputProfile, context?: RequestContext, now?: Date | number): boolean {
  const { matched, error } = evaluate(when, profile, context, now);
  if (error !== "") throw new Error(`${when} failed: ${error}`);
  return matched;
}

function compileErrors(when: string): readonly PolicyViolation[] {
  const result = compilePolicy(policy({ name: "p", rules: [rule("r", when, route([modelTarget("m")]))] }));
  return result.kind === "invalid" ? result.violations : [];
}

describe("the policy language", () => {
  describe("input", () => {
    it.each([
      [Modality.TEXT, "text"],
      [Modality.IMAGE, "image"],
      [Modality.AUDIO, "audio"],
      [Modality.TABULAR, "tabular"],
      [Modality.TENSOR, "tensor"],
      [Modality.BINARY, "binary"],
      [Modality.UNSPECIFIED, ""],
    ])("names modality %s %j", (modality, name) => {
      expect(holds(`input.modality == "${name}"`, create(InputProfileSchema, { modality }))).toBe(true);
    });

    it("exposes the MIME types, the size and the metadata and warnings", () => {
      const profile = create(InputProfileSchema, {
        modality: Modality.IMAGE,
        mimeType: "image/png",
        declaredMimeType: "image/jpeg",
        sizeBytes: 2048,
        metadata: { image_type: "lowres_scan" },
        warnings: ["declared MIME type contradicts the bytes"],
      });
      expect(
        holds(
          'input.mime_type == "image/png" && input.declared_mime_type == "image/jpeg" && input.size_bytes == 2048 && ' +
            'input.metadata["image_type"] == "lowres_scan" && input.warnings.exists(w, w.contains("contradicts"))',
          profile,
        ),
      ).toBe(true);
    });

    it("exposes the image profile", () => {
      const when =
        'input.image.format == "png" && input.image.width == 16 && input.image.height == 8 && ' +
        "input.image.channels == 1 && input.image.bit_depth == 8";
      expect(holds(when, imageInput(16, 8))).toBe(true);
    });

    it("exposes the image's colour, smaller side, sharpness and the pixels they were measured on", () => {
      const profile = create(InputProfileSchema, {
        modality: Modality.IMAGE,
        image: { format: "jpeg", width: 640, height: 480, channels: 3, color: "gray", minSide: 480, sharpness: 42.5, pixelsAnalyzed: 307200 },
      });
      const when =
        'input.image.color == "gray" && input.image.min_side == 480 && input.image.sharpness < 100.0 && ' +
        "input.image.pixels_analyzed > 0";
      expect(holds(when, profile)).toBe(true);
      expect(holds('input.image.color == "color"', profile)).toBe(false);
    });

    it("exposes the audio's levels and speech estimate as doubles", () => {
      const profile = create(InputProfileSchema, {
        modality: Modality.AUDIO,
        audio: { format: "wav", rmsDbfs: -23.5, peakDbfs: -3, speechRatio: 0.6, analyzedSeconds: 1 },
      });
      const when =
        "input.audio.rms_dbfs > -30.0 && input.audio.peak_dbfs == -3.0 && input.audio.speech_ratio >= 0.5 && " +
        "input.audio.analyzed_seconds == 1.0";
      expect(holds(when, profile)).toBe(true);
    });

    it("exposes the text's script, token estimate and line count", () => {
      const profile = create(InputProfileSchema, {
        modality: Modality.TEXT,
        text: { length: 40, script: "Cyrillic", tokenEstimate: 20, lineCount: 3 },
      });
      const when = 'input.text.script == "Cyrillic" && input.text.token_estimate <= 20 && input.text.line_count == 3';
      expect(holds(when, profile)).toBe(true);
    });

    it("exposes the lengths of array fields, so that a sensor record is told from a plain row", () => {
      const profile = create(InputProfileSchema, {
        modality: Modality.TABULAR,
        tabular: { rowCount: 1, fields: { samples: { type: "array", presentCount: 1, minLength: 128, maxLength: 128 } } },
      });
      const when =
        '"samples" in input.tabular.fields && input.tabular.fields["samples"].type == "array" && ' +
        'input.tabular.fields["samples"].min_length >= 64 && input.tabular.fields["samples"].max_length == 128';
      expect(holds(when, profile)).toBe(true);
    });

    it("exposes the audio profile, with durations as doubles", () => {
      const profile = create(InputProfileSchema, {
        modality: Modality.AUDIO,
        audio: { format: "wav", sampleRateHz: 16000, channels: 1, bitsPerSample: 16, durationSeconds: 1.5 },
      });
      const when =
        'input.audio.format == "wav" && input.audio.sample_rate_hz == 16000 && input.audio.channels == 1 && ' +
        "input.audio.bits_per_sample == 16 && input.audio.duration_seconds > 1.25";
      expect(holds(when, profile)).toBe(true);
    });

    it("exposes the text profile", () => {
      const when =
        'input.text.length == 12 && input.text.word_count == 2 && input.text.language == "de" && ' +
        "input.text.language_confidence >= 0.9";
      expect(holds(when, textInput(12, "de"))).toBe(true);
    });

    it("exposes the tabular profile, with per-field statistics", () => {
      const profile = create(InputProfileSchema, {
        modality: Modality.TABULAR,
        tabular: {
          rowCount: 3,
          fields: { age: { type: "number", presentCount: 3, min: 20, max: 80, mean: 51.5 }, name: { type: "string", presentCount: 2 } },
        },
      });
      const when =
        'input.tabular.row_count == 3 && "age" in input.tabular.fields && input.tabular.fields["age"].mean > 50.0 && ' +
        'input.tabular.fields["age"].type == "number" && input.tabular.fields["age"].min == 20.0 && ' +
        'input.tabular.fields["age"].max == 80.0 && input.tabular.fields["name"].present_count == 2 && ' +
        'input.tabular.fields.all(f, input.tabular.fields[f].present_count >= 2)';
      expect(holds(when, profile)).toBe(true);
    });

    it("exposes the tensor profile, with the element type by name and the shape as ints", () => {
      const profile = create(InputProfileSchema, {
        modality: Modality.TENSOR,
        tensor: { dataType: DataType.FLOAT32, shape: [1, 3, 224, 224], elementCount: 150528 },
      });
      const when =
        'input.tensor.data_type == "float32" && input.tensor.shape == [1, 3, 224, 224] && ' +
        "input.tensor.shape[1] == 3 && size(input.tensor.shape) == 4 && input.tensor.element_count == 150528";
      expect(holds(when, profile)).toBe(true);
    });

    it("reads absent sub-profiles as zero values", () => {
      const when =
        'input.image.width == 0 && input.image.format == "" && input.audio.duration_seconds == 0.0 && ' +
        'input.text.language == "" && size(input.tabular.fields) == 0 && input.tensor.shape == [] && ' +
        'input.tensor.data_type == "" && size(input.metadata) == 0 && size(input.warnings) == 0 && ' +
        'input.image.color == "" && input.image.sharpness == 0.0 && input.audio.speech_ratio == 0.0 && ' +
        'input.text.script == "" && input.text.token_estimate == 0';
      expect(holds(when, create(InputProfileSchema, {}))).toBe(true);
      expect(holds("input.text.length == 0", imageInput())).toBe(true);
    });
  });

  describe("request", () => {
    it("exposes the caller's metadata, tenant, tier, user id and request id", () => {
      const context = requestContext({
        requestId: "req-1",
        metadata: { region: "eu" },
        tenant: "acme",
        tier: "premium",
        userId: "u-7",
      });
      const when =
        'request.request_id == "req-1" && request.metadata["region"] == "eu" && request.tenant == "acme" && ' +
        'request.tier == "premium" && request.user_id == "u-7"';
      expect(holds(when, imageInput(), context)).toBe(true);
    });

    it("gives the time left as deadline_ms, and 0 when the caller set no deadline", () => {
      const context = requestContext({ timeout: { seconds: 1n, nanos: 500_000_000 } });
      expect(holds("request.deadline_ms == 1500", imageInput(), context)).toBe(true);
      expect(holds("request.deadline_ms == 0", imageInput(), requestContext())).toBe(true);
      expect(holds('request.deadline_ms == 0 && request.tier == ""', imageInput(), undefined)).toBe(true);
    });

    it("never parses request data as an expression", () => {
      const context = requestContext({ metadata: { x: "true || 1 / 0 == 1" }, tier: 'premium" || true || "' });
      expect(holds('request.metadata["x"] == "true || 1 / 0 == 1"', imageInput(), context)).toBe(true);
      expect(holds('request.tier == "premium"', imageInput(), context)).toBe(false);
    });
  });

  describe("now", () => {
    it("is the time passed in, as epoch milliseconds or a Date", () => {
      expect(holds('now == timestamp("2024-06-01T12:00:00Z")')).toBe(true);
      expect(holds("now.getHours() == 12 && now.getDayOfWeek() == 6", imageInput(), undefined, new Date(NOON))).toBe(true);
      expect(holds('now < timestamp("2024-06-01T12:00:00Z")', imageInput(), undefined, NOON - 1)).toBe(true);
    });
  });

  describe("run-time errors", () => {
    it("treat a failing condition as not matching and record the error", () => {
      expect(evaluate('request.metadata["missing"] == "x"')).toEqual({
        matched: false,
        error: "No such key: missing (line 1, column 1)",
      });
      expect(evaluate("input.size_bytes / 0 == 1").error).toContain("division by zero");
    });

    it("can be avoided with `in` and has()", () => {
      expect(holds('"missing" in request.metadata && request.metadata["missing"] == "x"')).toBe(false);
      expect(holds("has(request.metadata.region)")).toBe(false);
    });
  });

  describe("compile-time checks", () => {
    it("rejects a misspelt field, with its position, the excerpt and a suggestion", () => {
      expect(compileErrors("input.image.widht > 3")).toEqual([
        {
          field: "rules[0].when",
          description: 'No such key: widht at line 1, column 13: input.image.»widht« > 3. Did you mean "width"?',
          position: { line: 1, column: 13, offset: 12 },
        },
      ]);
    });

    it("counts lines and columns in multi-line expressions", () => {
      const [violation] = compileErrors('input.modality == "text" &&\n  input.txt.length > 0');
      expect(violation?.position).toEqual({ line: 2, column: 9, offset: 36 });
      expect(violation?.description).toContain('Did you mean "text"?');
    });

    it("rejects an unknown variable, naming the variables there are", () => {
      const [violation] = compileErrors('inpt.modality == "image"');
      expect(violation?.description).toContain("Unknown variable: inpt");
      expect(violation?.description).toContain('Did you mean "input"? The variables are input, request, now.');
      expect(compileErrors("process.env.HOME == \"x\"")[0]?.description).toContain("The variables are input, request, now.");
    });

    it("rejects operands of the wrong type", () => {
      const [violation] = compileErrors('input.image.width == "wide"');
      expect(violation?.field).toBe("rules[0].when");
      expect(violation?.position?.line).toBe(1);
      expect(violation?.description).toBe("no such overload: int == string at line 1, column 1: »input.image.width == \"wide\"«.");
    });

    it("rejects syntax errors with their position", () => {
      const [violation] = compileErrors('input.modality == "image" &&');
      expect(violation?.description).toMatch(/^Unexpected token/);
      expect(violation?.position).toEqual({ line: 1, column: 29, offset: 28 });
    });

    it("rejects a condition that is not a bool", () => {
      const [violation] = compileErrors("input.modality");
      expect(violation?.description).toMatch(/^has type string, but a condition must be a bool/);
    });

    it("rejects an expression longer than 4,096 characters, and accepts one of exactly 4,096", () => {
      const make = (length: number) => {
        const prefix = 'request.tier == "';
        return `${prefix}${"a".repeat(length - prefix.length - 1)}"`;
      };
      expect(make(4096)).toHaveLength(4096);
      expect(compileErrors(make(4096))).toEqual([]);
      expect(compileErrors(make(4097))).toEqual([
        { field: "rules[0].when", description: expect.stringMatching(/^is 4097 characters long; an expression may have at most 4096/) },
      ]);
    });

    it("checks the policy's own condition too, on the field `when`", () => {
      const result = compilePolicy(policy({ name: "p", when: "input.size > 0", defaultRoute: route([modelTarget("m")]) }));
      expect(result.kind === "invalid" && result.violations.map((v) => v.field)).toEqual(["when"]);
    });

    it("accepts long but ordinary conditions", () => {
      const clauses = Array.from({ length: 40 }, (_, i) => `("k${i}" in request.metadata && request.metadata["k${i}"] == "v${i}")`);
      expect(compileErrors(clauses.join(" || "))).toEqual([]);
    });
  });
});
