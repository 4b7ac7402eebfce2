import { describe, expect, it } from "@jest/globals";
import { SUPPORTED_DATATYPES, datatypeOfElement, elementTypeOf, oipDatatypeOf } from "./oip-datatypes.js";

describe("OIP datatypes", () => {
  it("supports BOOL, UINT8, INT32, INT64, FP32 and FP64, each the name of one element type and back", () => {
    expect(SUPPORTED_DATATYPES).toEqual(["BOOL", "UINT8", "INT32", "INT64", "FP32", "FP64"]);
    const elements = SUPPORTED_DATATYPES.map(elementTypeOf);
    expect(elements).toEqual(["bool", "uint8", "int32", "int64", "float32", "float64"]);
    expect(elements.map((type) => datatypeOfElement(type ?? "bool"))).toEqual(SUPPORTED_DATATYPES);
  });

  it("has no element type for a datatype the executor does not exchange, nor for an inherited property name", () => {
    expect(["FP16", "BYTES", "fp32", "toString", ""].map(elementTypeOf)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it("names ONNX Runtime types OIP has a datatype for, supported or not", () => {
    expect(["float32", "int64", "float16", "string", "uint16"].map(oipDatatypeOf)).toEqual(["FP32", "INT64", "FP16", "BYTES", "UINT16"]);
    expect(oipDatatypeOf("complex64")).toBeUndefined();
    expect(oipDatatypeOf("constructor")).toBeUndefined();
  });
});
