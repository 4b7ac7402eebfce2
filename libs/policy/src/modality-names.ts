import { DataType, Modality } from "@modelrouter/contracts";

/** The policy-language name of a modality: "text", "image", …; "" when unspecified or unknown. */
export function modalityName(modality: Modality): string {
  switch (modality) {
    case Modality.TEXT:
      return "text";
    case Modality.IMAGE:
      return "image";
    case Modality.AUDIO:
      return "audio";
    case Modality.TABULAR:
      return "tabular";
    case Modality.TENSOR:
      return "tensor";
    case Modality.BINARY:
      return "binary";
    default:
      return "";
  }
}

/** The policy-language name of a tensor element type: "float32", "int64", …; "" when unspecified or unknown. */
export function dataTypeName(dataType: DataType): string {
  switch (dataType) {
    case DataType.FLOAT32:
      return "float32";
    case DataType.FLOAT64:
      return "float64";
    case DataType.INT32:
      return "int32";
    case DataType.INT64:
      return "int64";
    case DataType.UINT8:
      return "uint8";
    case DataType.BOOL:
      return "bool";
    default:
      return "";
  }
}
