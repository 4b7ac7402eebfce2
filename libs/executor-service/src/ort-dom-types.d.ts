// onnxruntime-common's declarations name browser types (for its WebGL/WebGPU and image helpers, which the
// executor never uses) that @types/node does not declare. Opaque stand-ins keep `skipLibCheck: false`
// without pulling the DOM library's globals into scope.
type WebGLRenderingContext = unknown;
type WebGLTexture = unknown;
type ImageData = unknown;
type HTMLImageElement = unknown;
type ImageBitmap = unknown;
