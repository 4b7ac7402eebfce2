/** The sample encodings of WAV audio the analyzer recognises. */
export type WavEncoding = "pcm" | "float";

/** What a WAV file's `fmt ` and `data` chunks say. */
export interface AudioHeader {
  readonly format: "wav";
  readonly encoding: WavEncoding;
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly bitsPerSample: number;
  /** The `data` chunk's length divided by the byte rate, in seconds. */
  readonly durationSeconds: number;
}
