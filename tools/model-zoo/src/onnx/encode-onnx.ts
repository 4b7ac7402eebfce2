import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  ONNX_FLOAT,
  type OnnxAttribute,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  type OnnxValueInfo,
} from "./onnx-model.js";

/** Field numbers from onnx/onnx.proto. */
const ModelProto = { irVersion: 1, producerName: 2, producerVersion: 3, docString: 6, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
const OperatorSetIdProto = { domain: 1, version: 2 } as const;
const StringStringEntryProto = { key: 1, value: 2 } as const;
const GraphProto = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const NodeProto = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 } as const;
const AttributeProto = { name: 1, f: 2, i: 3, ints: 8, type: 20 } as const;
/** AttributeProto.AttributeType values. */
const AttributeType = { float: 1, int: 2, ints: 7 } as const;
const TensorProto = { dims: 1, dataType: 2, name: 8, rawData: 9 } as const;
const ValueInfoProto = { name: 1, type: 2 } as const;
const TypeProto = { tensorType: 1 } as const;
const TypeProtoTensor = { elemType: 1, shape: 2 } as const;
const TensorShapeProto = { dim: 1 } as const;
const Dimension = { dimValue: 1 } as const;

type Encode<T> = (w: BinaryWriter, value: T) => void;

function message<T>(w: BinaryWriter, field: number, value: T, encode: Encode<T>): void {
  w.tag(field, WireType.LengthDelimited).fork();
  encode(w, value);
  w.join();
}

function string(w: BinaryWriter, field: number, value: string): void {
  w.tag(field, WireType.LengthDelimited).string(value);
}

function int64(w: BinaryWriter, field: number, value: number): void {
  w.tag(field, WireType.Varint).int64(value);
}

/** Little-endian IEEE 754 float32 bytes, whatever the host byte order. */
function littleEndianFloats(data: Float32Array): Uint8Array {
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

const encodeTensor: Encode<OnnxTensor> = (w, t) => {
  for (const d of t.dims) int64(w, TensorProto.dims, d);
  w.tag(TensorProto.dataType, WireType.Varint).int32(ONNX_FLOAT);
  string(w, TensorProto.name, t.name);
  w.tag(TensorProto.rawData, WireType.LengthDelimited).bytes(littleEndianFloats(t.data));
};

const encodeAttribute: Encode<OnnxAttribute> = (w, a) => {
  string(w, AttributeProto.name, a.name);
  switch (a.kind) {
    case "float":
      w.tag(AttributeProto.f, WireType.Bit32).float(a.value);
      break;
    case "int":
      int64(w, AttributeProto.i, a.value);
      break;
    case "ints":
      for (const v of a.value) int64(w, AttributeProto.ints, v);
      break;
  }
  w.tag(AttributeProto.type, WireType.Varint).int32(AttributeType[a.kind]);
};

const encodeNode: Encode<OnnxNode> = (w, n) => {
  for (const input of n.inputs) string(w, NodeProto.input, input);
  for (const output of n.outputs) string(w, NodeProto.output, output);
  string(w, NodeProto.name, n.name);
  string(w, NodeProto.opType, n.opType);
  for (const a of n.attributes) message(w, NodeProto.attribute, a, encodeAttribute);
};

const encodeValueInfo: Encode<OnnxValueInfo> = (w, v) => {
  string(w, ValueInfoProto.name, v.name);
  message(w, ValueInfoProto.type, v.dims, (tw, dims) =>
    message(tw, TypeProto.tensorType, dims, (ttw, ds) => {
      ttw.tag(TypeProtoTensor.elemType, WireType.Varint).int32(ONNX_FLOAT);
      message(ttw, TypeProtoTensor.shape, ds, (sw, list) => {
        for (const d of list) message(sw, TensorShapeProto.dim, d, (dw, value) => int64(dw, Dimension.dimValue, value));
      });
    }),
  );
};

const encodeGraph: Encode<OnnxGraph> = (w, g) => {
  for (const n of g.nodes) message(w, GraphProto.node, n, encodeNode);
  string(w, GraphProto.name, g.name);
  for (const t of g.initializers) message(w, GraphProto.initializer, t, encodeTensor);
  for (const v of g.inputs) message(w, GraphProto.input, v, encodeValueInfo);
  for (const v of g.outputs) message(w, GraphProto.output, v, encodeValueInfo);
};

/**
 * Serialises a model to the ONNX protobuf binary format (what `.onnx` files hold), written field by field
 * with protobuf-es's `BinaryWriter`. Initialisers are stored as `raw_data` (little-endian float32).
 */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const w = new BinaryWriter();
  int64(w, ModelProto.irVersion, model.irVersion);
  string(w, ModelProto.producerName, model.producerName);
  string(w, ModelProto.producerVersion, model.producerVersion);
  string(w, ModelProto.docString, model.docString);
  message(w, ModelProto.graph, model.graph, encodeGraph);
  message(w, ModelProto.opsetImport, model.opsetVersion, (ow, version) => {
    string(ow, OperatorSetIdProto.domain, "");
    int64(ow, OperatorSetIdProto.version, version);
  });
  for (const [key, value] of Object.entries(model.metadata)) {
    message(w, ModelProto.metadataProps, { key, value }, (mw, e) => {
      string(mw, StringStringEntryProto.key, e.key);
      string(mw, StringStringEntryProto.value, e.value);
    });
  }
  return w.finish();
}
