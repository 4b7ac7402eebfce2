/** An image container format recognised from its magic number. */
export type ImageFormat = "png" | "jpeg" | "gif" | "webp" | "bmp";

/** What an image's header says, before any pixel is decoded. */
export interface ImageHeader {
  readonly format: ImageFormat;
  /** Pixels. */
  readonly width: number;
  /** Pixels. */
  readonly height: number;
  /** 1 (gray), 2 (gray + alpha), 3 (RGB, YCbCr or a palette of colours) or 4 (RGBA or CMYK). */
  readonly channels: number;
  /** Bits per sample of one channel; for palette images, bits per palette index (as PNG defines it). */
  readonly bitDepth: number;
}
