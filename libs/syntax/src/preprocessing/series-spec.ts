import { type SeriesPreprocessing, SeriesRepresentation } from "@modelrouter/contracts";
import { type FieldViolation, Violations } from "@modelrouter/errors";
import { MAX_SERIES_FIELD_LENGTH, MAX_SERIES_LENGTH } from "./limits.js";

/** How many summary statistics the statistics representation has. */
export const SERIES_STATISTICS = 10;

/** The series pre-processing of a model. */
export interface SeriesSpec {
  /** The record field holding the samples; empty: the payload is a one-dimensional tensor. */
  readonly field: string;
  /** Samples the signal is fitted to. */
  readonly length: number;
  readonly representation: "raw" | "spectrum" | "statistics";
  /** For the spectrum: how many low magnitude bins are kept (0 otherwise). */
  readonly bins: number;
}

const representations: Readonly<Record<number, SeriesSpec["representation"]>> = {
  [SeriesRepresentation.RAW]: "raw",
  [SeriesRepresentation.SPECTRUM]: "spectrum",
  [SeriesRepresentation.STATISTICS]: "statistics",
};

/**
 * Checks a `SeriesPreprocessing`. Returns the spec, or every problem with its path relative to the
 * `SeriesPreprocessing` message: `length` 1 to 65,536; a representation; for the spectrum, `bins` 1 to
 * length / 2 + 1 (the distinct bins of a real signal's DFT), and no `bins` for the others.
 */
export function compileSeriesSpec(
  series: SeriesPreprocessing,
): { readonly spec: SeriesSpec } | { readonly violations: readonly FieldViolation[] } {
  const v = new Violations();
  const { field, length, bins } = series;
  if (field.length > MAX_SERIES_FIELD_LENGTH) {
    v.add("field", `is ${field.length} characters; at most ${MAX_SERIES_FIELD_LENGTH} are allowed`);
  }
  if (length < 1 || length > MAX_SERIES_LENGTH) {
    v.add("length", `must be 1 to ${MAX_SERIES_LENGTH} samples (what the signal is cut or padded to), not ${length}`);
  }
  const representation = representations[series.representation];
  if (representation === undefined) {
    v.add("representation", "is required: SERIES_REPRESENTATION_RAW, SERIES_REPRESENTATION_SPECTRUM or SERIES_REPRESENTATION_STATISTICS");
  }
  const maxBins = Math.floor(length / 2) + 1;
  if (representation === "spectrum" && (bins < 1 || bins > maxBins)) {
    v.add("bins", `must be 1 to ${maxBins} (length / 2 + 1, the distinct magnitudes of ${length} samples), not ${bins}`);
  }
  if (representation !== undefined && representation !== "spectrum" && bins !== 0) {
    v.add("bins", "applies to SERIES_REPRESENTATION_SPECTRUM only: leave it 0");
  }
  if (!v.empty || representation === undefined) return { violations: v.items };
  return { spec: { field, length, representation, bins } };
}

/** The tensor's width: `length` (raw), `bins` (spectrum) or 10 (statistics). */
export function seriesWidth(spec: SeriesSpec): number {
  switch (spec.representation) {
    case "raw":
      return spec.length;
    case "spectrum":
      return spec.bins;
    case "statistics":
      return SERIES_STATISTICS;
  }
}
