import { readFileSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { fromJson, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { parseAllDocuments } from "yaml";
import { UsageError } from "./io.js";

const MANIFEST = new Set([".yaml", ".yml", ".json"]);

/** Every manifest file named: files as given, directories expanded to their YAML/JSON files, sorted. */
export function manifestFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw new UsageError(`-f ${path}: no such file or directory`);
    }
    if (stats.isDirectory()) {
      files.push(
        ...readdirSync(path)
          .filter((name) => MANIFEST.has(extname(name)))
          .sort()
          .map((name) => join(path, name)),
      );
    } else {
      files.push(path);
    }
  }
  return files;
}

/**
 * Reads messages from YAML or JSON manifests (the protobuf JSON mapping, one document per message; YAML
 * files may hold several documents separated by `---`). A document that does not fit the message type is
 * reported with its file and document number.
 */
export function readManifests<Desc extends DescMessage>(schema: Desc, paths: readonly string[]): MessageShape<Desc>[] {
  const messages: MessageShape<Desc>[] = [];
  for (const file of manifestFiles(paths)) {
    const text = readFileSync(file, "utf8");
    const documents = parseAllDocuments(text);
    documents.forEach((document, index) => {
      const where = documents.length > 1 ? `${file} (document ${index + 1})` : file;
      if (document.errors.length > 0) throw new UsageError(`${where}: not valid YAML: ${document.errors[0]?.message ?? ""}`);
      const value = document.toJS() as JsonValue;
      if (value === null || value === undefined) return;
      try {
        messages.push(fromJson(schema, value));
      } catch (error) {
        throw new UsageError(`${where}: not a valid ${schema.typeName}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }
  return messages;
}
