import { AnalyzerService } from "@modelrouter/contracts";
import type { Component } from "@modelrouter/host";
import { createAnalyzerService } from "./analyzer-service.js";
import { createLanguageDetector } from "./text/language-detector.js";

/** Loads the language detector and creates the analyzer: a component to serve or call in-process. */
export async function startAnalyzer(): Promise<Component<typeof AnalyzerService>> {
  return { service: AnalyzerService, impl: createAnalyzerService({ languageDetector: await createLanguageDetector() }) };
}
