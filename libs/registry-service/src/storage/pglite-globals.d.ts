/**
 * Globals that PGlite's typings name without shipping them: they come from `@types/emscripten` and the DOM
 * library, which this Node-only workspace does not install. They are declared here as opaque types (the
 * registry never uses them), so that PGlite's typings check without `skipLibCheck`. Delete this file once
 * `@types/emscripten` is a workspace devDependency.
 */
declare namespace WebAssembly {
  type Imports = object;
  type Instance = object;
  type Memory = object;
  type Module = object;
}

declare namespace Emscripten {
  type FileSystemType = object;
}

type EmscriptenModule = object;
type IDBDatabase = object;
declare const FS: object;
