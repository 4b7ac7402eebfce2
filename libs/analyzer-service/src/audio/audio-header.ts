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
  /** Where the samples start: the offset of the `data` chunk's body in the file. */
  readonly dataOffset: number;
  /** Bytes of samples present in the file (the `data` chunk's length, or less if the file ends first). */
  readonly dataBytes: number;
}
