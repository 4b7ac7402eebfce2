import type {
  AudioProfile,
  ImageProfile,
  Modality,
  TabularProfile,
  TensorProfile,
  TextProfile,
} from "@modelrouter/contracts";

/** What the analysis of one payload kind found: the InputProfile without the request's metadata. */
export interface ProfileParts {
  readonly modality: Modality;
  readonly mimeType: string;
  readonly declaredMimeType?: string;
  /** Bytes; clamped to the uint32 range of the profile. */
  readonly sizeBytes: number;
  readonly image?: ImageProfile;
  readonly audio?: AudioProfile;
  readonly text?: TextProfile;
  readonly tabular?: TabularProfile;
  readonly tensor?: TensorProfile;
  readonly warnings: readonly string[];
}

/** The MIME type of a tensor payload, which has no standard one. */
export const TENSOR_MIME_TYPE = "application/x-tensor";

/** A byte count as the profile's uint32 `size_bytes`. */
export function clampSize(bytes: number): number {
  return Math.min(bytes, 0xffff_ffff);
}
