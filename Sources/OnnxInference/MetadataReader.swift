import FoundationEssentials
import OnnxProto

/// Reads `ModelMetadata` from a model's `metadata_props` and graph.
enum MetadataReader {
  /// The `metadata_props` keys Hotswap reads.
  enum Key {
    static let name = "model_name"
    static let version = "model_version"
    static let featureNames = "feature_names"
    static let classLabels = "class_labels"
  }

  /// The metadata of `model`, whose compiled inputs are `inputs`.
  static func read(
    _ model: Onnx_ModelProto,
    inputs: [TensorInfo],
    opsets: [String: Int64]
  ) throws(OnnxError) -> ModelMetadata {
    var properties: [String: String] = [:]
    for entry in model.metadataProps {
      properties[entry.key] = entry.value
    }
    var featureNames = try stringArray(properties[Key.featureNames], key: Key.featureNames)
    if featureNames == nil, inputs.count > 1, inputs.allSatisfy({ $0.shape.count == 2 && $0.shape[1] == 1 }) {
      featureNames = inputs.map(\.name)
    }
    return ModelMetadata(
      name: nonEmpty(properties[Key.name]),
      version: nonEmpty(properties[Key.version]),
      featureNames: featureNames,
      classLabels: try stringArray(properties[Key.classLabels], key: Key.classLabels),
      properties: properties,
      producerName: model.producerName,
      producerVersion: model.producerVersion,
      irVersion: model.irVersion,
      opsets: opsets
    )
  }

  private static func nonEmpty(_ value: String?) -> String? {
    guard let value, !value.isEmpty else { return nil }
    return value
  }

  /// Parses a JSON array of strings, or throws `.invalidModel` naming the key.
  static func stringArray(_ text: String?, key: String) throws(OnnxError) -> [String]? {
    guard let text else { return nil }
    guard let strings = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else {
      throw OnnxError(
        .invalidModel,
        "metadata property '\(key)' must be a JSON array of strings, got \(text.prefix(80))"
      )
    }
    return strings
  }
}
