import { TestEnvironment } from "jest-environment-node";

/**
 * Jest's node environment with Node's own typed-array constructors. onnxruntime-node's native binding makes
 * output tensors with the outer realm's Float32Array, and onnxruntime-common (loaded inside the test realm)
 * then rejects them ("A float32 tensor's data must be type of function Float32Array()"). Jest already shares
 * ArrayBuffer and Uint8Array this way; this shares the rest.
 */
export default class SharedTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of [
      "Int8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
      "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
    ]) {
      this.global[name] = globalThis[name];
    }
  }
}
