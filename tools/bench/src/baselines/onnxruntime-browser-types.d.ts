/**
 * onnxruntime-common's typings name browser types (WebGL, ImageData, …) in APIs that the Node build never
 * uses, and this workspace compiles without the DOM library and without skipLibCheck. These opaque
 * stand-ins let the typings resolve without pulling every browser global into scope.
 */
type WebGLRenderingContext = unknown;
type WebGLTexture = unknown;
type ImageData = unknown;
type HTMLImageElement = unknown;
type ImageBitmap = unknown;
