const ALIASES: Readonly<Record<string, string>> = {
  "image/jpg": "image/jpeg",
  "image/pjpeg": "image/jpeg",
  "image/x-png": "image/png",
  "image/x-bmp": "image/bmp",
  "image/x-ms-bmp": "image/bmp",
  "audio/wave": "audio/wav",
  "audio/x-wav": "audio/wav",
  "audio/vnd.wave": "audio/wav",
  "text/json": "application/json",
};

/** A declared MIME type's essence: trimmed, lower case, without parameters, with common aliases resolved. */
export function normalizeMime(declared: string): string {
  const semicolon = declared.indexOf(";");
  const essence = (semicolon >= 0 ? declared.slice(0, semicolon) : declared).trim().toLowerCase();
  return ALIASES[essence] ?? essence;
}

/**
 * True when a client's declared MIME type agrees with the detected one. Nothing declared and
 * `application/octet-stream` agree with anything; any `text/*` agrees with plain text; `+json` types and
 * `text/plain` agree with JSON.
 */
export function mimeAgrees(declared: string, detected: string): boolean {
  const essence = normalizeMime(declared);
  if (essence === "" || essence === detected || essence === "application/octet-stream") return true;
  if (detected === "text/plain") return essence.startsWith("text/");
  if (detected === "application/json") return essence.endsWith("+json") || essence === "text/plain";
  return false;
}
