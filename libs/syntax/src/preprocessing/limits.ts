/**
 * The bounds of the declared pre-processing of a model (`backend.onnx.preprocessing`): the registry refuses a
 * model outside them and the executor refuses a request outside them, so that no registered model can make the
 * executor do unbounded work or allocate an unbounded tensor. Documented in docs/models.md.
 */

/** The most buckets (the tensor's width) of text pre-processing. */
export const MAX_TEXT_BUCKETS = 1_048_576;
/** The longest character or word n-gram of text pre-processing. */
export const MAX_TEXT_NGRAM = 8;
/** The largest `max_chars` of text pre-processing (code points kept of a text). */
export const MAX_TEXT_CHARS = 100_000;
/** The `max_chars` used when a model gives 0. */
export const DEFAULT_TEXT_CHARS = 4096;

/** The most features of tabular pre-processing. */
export const MAX_TABULAR_FEATURES = 1024;
/** The most categories of one category feature. */
export const MAX_TABULAR_CATEGORIES = 1024;
/** The most columns (the tensor's width) of tabular pre-processing. */
export const MAX_TABULAR_WIDTH = 65_536;
/** The longest feature name or category. */
export const MAX_TABULAR_NAME_LENGTH = 256;

/** The lowest `sample_rate_hz` of audio pre-processing. */
export const MIN_AUDIO_SAMPLE_RATE_HZ = 1000;
/** The highest `sample_rate_hz` of audio pre-processing (and of a WAV file the executor decodes). */
export const MAX_AUDIO_SAMPLE_RATE_HZ = 384_000;
/** The longest `duration_ms` of audio pre-processing: 60 s. */
export const MAX_AUDIO_DURATION_MS = 60_000;
/** The most samples audio is fitted to (`sample_rate_hz` × `duration_ms` / 1000): 2^22, 16 MiB of float32. */
export const MAX_AUDIO_SAMPLES = 4_194_304;
/** The most `mel_bands` of audio pre-processing. */
export const MAX_AUDIO_MEL_BANDS = 512;
/** The fewest samples in one audio frame (`frame_ms` at `sample_rate_hz`). */
export const MIN_AUDIO_FRAME_SAMPLES = 16;
/** The largest FFT of one audio frame (the frame's samples rounded up to a power of two). */
export const MAX_AUDIO_FFT_SIZE = 65_536;
/** The most frames of audio pre-processing. */
export const MAX_AUDIO_FRAMES = 10_000;
/** The most frames × FFT size of audio pre-processing: the FFT work of one request. */
export const MAX_AUDIO_FFT_WORK = 2 ** 25;
/** The most channels of a WAV file the executor decodes. */
export const MAX_WAV_CHANNELS = 64;

/** The longest `length` of series pre-processing (samples a model sees). */
export const MAX_SERIES_LENGTH = 65_536;
/** The longest record field name of series pre-processing. */
export const MAX_SERIES_FIELD_LENGTH = 256;

/** The longest `unit` of regression post-processing, for example "mmol/L". */
export const MAX_REGRESSION_UNIT_LENGTH = 64;
