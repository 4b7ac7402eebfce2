import type { ProblemKind } from "../common/detection.js";
import { ANALYZER_LIMITS } from "../limits.js";
import type { ImageMediaFormat } from "../media/media-formats.js";
import type { ImageHeader } from "./image-header.js";

/** The image formats modelrouter takes, as messages name them. */
export const TAKEN_IMAGE_FORMATS = "PNG or JPEG";

/** An image that may be profiled, or why not, as the whole description of a violation of its field. */
export type ImageCheck =
  | { readonly ok: true; readonly header: ImageHeader }
  | { readonly ok: false; readonly kind: ProblemKind; readonly description: string };

/**
 * Decides whether image bytes are taken, cheapest check first: the format must be PNG or JPEG (GIF, WebP and
 * BMP are recognised, so that the message can say what the bytes are, but no model decodes them); the header
 * must be valid; the image must have at most {@link ANALYZER_LIMITS.maxImagePixels} pixels, judged from the
 * header alone; and the whole file must be well-formed (`checkStructure`). Nothing is decompressed.
 */
export function checkImage(format: ImageMediaFormat, bytes: Uint8Array): ImageCheck {
  const header = format.read(bytes);
  if (format.checkStructure === undefined) {
    const size = header.ok ? ` of ${header.value.width}×${header.value.height} pixels` : "";
    return {
      ok: false,
      kind: "unsupported",
      description: `is a ${format.label} image${size}, which models cannot decode: send a ${TAKEN_IMAGE_FORMATS} image instead`,
    };
  }
  if (!header.ok) return { ok: false, kind: header.kind, description: `starts like a ${format.label} but ${header.problem}` };
  const { width, height } = header.value;
  const pixels = width * height;
  const limit = ANALYZER_LIMITS.maxImagePixels;
  if (pixels > limit) {
    return {
      ok: false,
      kind: "invalid",
      description: `is a ${format.label} image of ${width}×${height} pixels (${pixels} in all); at most ${limit} pixels are taken: scale it down`,
    };
  }
  const structure = format.checkStructure(bytes);
  if (!structure.ok) return { ok: false, kind: structure.kind, description: `starts like a ${format.label} but ${structure.problem}` };
  return { ok: true, header: header.value };
}
