/**
 * Files written by real encoders, for the specs (in `samples/`; a few hundred bytes each, the speech 29 KB):
 * - `zoo-*.png`: two of the model zoo's digit samples (`libs/model-zoo/samples`), as users send them;
 * - `cjpeg-*.jpg`, `jpegtran-progressive.jpg`: a 24×16 picture encoded by libjpeg-turbo 2.1.5 (`cjpeg` with
 *   `-quality 80`, `-progressive`, `-restart 1 -optimize`, a greyscale input, and `-arithmetic`; and `jpegtran
 *   -progressive -copy all` of the baseline file). Every one ends with EOI, nothing after it;
 * - `sox-*.wav`: 20 ms of a 440 Hz tone from SoX 14.4.2, 16-bit PCM mono and 32-bit float stereo (whose
 *   `fmt ` chunk is 18 bytes, followed by a `fact` chunk);
 * - `espeak-seven-eight.wav`: espeak-ng 1.51 (`-v en -s 150`) saying "seven, eight", converted by SoX to 8 kHz 16-bit
 *   mono with 0.2 s of silence before and after (`sox -t wav - -r 8000 -b 16 -c 1 out.wav pad 0.2 0.2`): 1.82 s.
 */
import { readFileSync } from "node:fs";

/** The bytes of a file in `samples/`. */
export function sample(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`samples/${name}`, import.meta.url)));
}

/** The PNG samples. */
export const PNG_SAMPLES: readonly string[] = ["zoo-mnist-3.png", "zoo-lowres-7.png"];

/** The JPEG samples that modelrouter takes (all but the arithmetic-coded one). */
export const JPEG_SAMPLES: readonly string[] = [
  "cjpeg-baseline.jpg",
  "cjpeg-progressive.jpg",
  "cjpeg-restart.jpg",
  "cjpeg-gray.jpg",
  "jpegtran-progressive.jpg",
];

/** The WAV samples. */
export const WAV_SAMPLES: readonly string[] = ["sox-pcm16.wav", "sox-float32-stereo.wav"];
