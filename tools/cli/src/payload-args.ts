import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { fromJson, type MessageInitShape } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import type { InferRequestSchema, PayloadSchema } from "@modelrouter/contracts";
import { chatFromFile, chatFromMessages } from "./chat-args.js";
import { UsageError } from "./io.js";

/** The usage of the options of `infer` and `explain` that describe the request. */
export const requestUsage = `(--image FILE | --audio FILE | --text TEXT | --json JSON|@FILE | --file FILE
     | --chat FILE.json|- | --message role:content...)
    [--meta key=value]... [--tier T] [--tenant T] [--user U] [--policy P] [--request-id ID]`;

/** The options of `infer` and `explain` that describe the request. */
export const requestOptions = {
  image: { type: "string" },
  audio: { type: "string" },
  text: { type: "string" },
  json: { type: "string" },
  file: { type: "string" },
  chat: { type: "string" },
  message: { type: "string", multiple: true },
  meta: { type: "string", multiple: true },
  tenant: { type: "string" },
  tier: { type: "string" },
  user: { type: "string" },
  policy: { type: "string" },
  "request-id": { type: "string" },
} as const;

/** The parsed values of {@link requestOptions}. */
export interface RequestValues {
  image?: string | undefined;
  audio?: string | undefined;
  text?: string | undefined;
  json?: string | undefined;
  file?: string | undefined;
  chat?: string | undefined;
  message?: string[] | undefined;
  meta?: string[] | undefined;
  tenant?: string | undefined;
  tier?: string | undefined;
  user?: string | undefined;
  policy?: string | undefined;
  "request-id"?: string | undefined;
}

const MIME: Readonly<Record<string, string>> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".wav": "audio/wav",
};

function read(path: string, option: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch {
    throw new UsageError(`--${option} ${path}: cannot read the file`);
  }
}

function payloadOf(values: RequestValues): MessageInitShape<typeof PayloadSchema> {
  const given = (["image", "audio", "text", "json", "file", "chat", "message"] as const).filter((k) => values[k] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      "give exactly one input: --image FILE, --audio FILE, --text TEXT, --json JSON|@FILE, --file FILE, --chat FILE.json|- or --message role:content (repeated)",
    );
  }
  if (values.chat !== undefined) return { kind: { case: "chat", value: { messages: chatFromFile(values.chat) } } };
  if (values.message !== undefined) return { kind: { case: "chat", value: { messages: chatFromMessages(values.message) } } };
  if (values.image !== undefined) {
    return { kind: { case: "image", value: { data: read(values.image, "image"), mimeType: MIME[extname(values.image).toLowerCase()] ?? "" } } };
  }
  if (values.audio !== undefined) {
    return { kind: { case: "audio", value: { data: read(values.audio, "audio"), mimeType: MIME[extname(values.audio).toLowerCase()] ?? "" } } };
  }
  if (values.text !== undefined) return { kind: { case: "text", value: values.text } };
  if (values.file !== undefined) return { kind: { case: "binary", value: { data: read(values.file, "file") } } };
  const source = values.json!.startsWith("@") ? new TextDecoder().decode(read(values.json!.slice(1), "json")) : values.json!;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    throw new UsageError("--json: not valid JSON (give inline JSON, or @FILE)");
  }
  return { kind: { case: "json", value: fromJson(ValueSchema, parsed as never) } };
}

function metadataOf(pairs: readonly string[] | undefined): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--meta ${pair}: expected key=value, for example --meta image_type=lowres_scan`);
    metadata[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return metadata;
}

/** Builds an InferRequest from command-line options. */
export function inferRequestOf(values: RequestValues): MessageInitShape<typeof InferRequestSchema> {
  return {
    requestId: values["request-id"] ?? "",
    payload: payloadOf(values),
    metadata: metadataOf(values.meta),
    tenant: values.tenant ?? "",
    tier: values.tier ?? "",
    userId: values.user ?? "",
    policy: values.policy ?? "",
  };
}
