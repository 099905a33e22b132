/// What a model file says about itself: names, version, labels and provenance.
public struct ModelMetadata: Sendable, Equatable {
  /// The `model_name` property.
  public let name: String?
  /// The `model_version` property, else (when loaded from a path) the parent folder name.
  public let version: String?
  /// The `feature_names` property (a JSON array), else the names of several `[N, 1]` inputs.
  public let featureNames: [String]?
  /// The `class_labels` property (a JSON array of human names in class order).
  public let classLabels: [String]?
  /// Every `metadata_props` entry.
  public let properties: [String: String]
  /// The exporter's name, e.g. `skl2onnx`.
  public let producerName: String
  /// The exporter's version.
  public let producerVersion: String
  /// The ONNX IR version of the file.
  public let irVersion: Int64
  /// The operator set version per domain (the default domain is `ai.onnx`).
  public let opsets: [String: Int64]

  /// Creates metadata from its parts.
  public init(
    name: String?,
    version: String?,
    featureNames: [String]?,
    classLabels: [String]?,
    properties: [String: String],
    producerName: String,
    producerVersion: String,
    irVersion: Int64,
    opsets: [String: Int64]
  ) {
    self.name = name
    self.version = version
    self.featureNames = featureNames
    self.classLabels = classLabels
    self.properties = properties
    self.producerName = producerName
    self.producerVersion = producerVersion
    self.irVersion = irVersion
    self.opsets = opsets
  }

  /// A copy whose version is `version` when the file named none.
  func withFallbackVersion(_ version: String?) -> ModelMetadata {
    ModelMetadata(
      name: name,
      version: self.version ?? version,
      featureNames: featureNames,
      classLabels: classLabels,
      properties: properties,
      producerName: producerName,
      producerVersion: producerVersion,
      irVersion: irVersion,
      opsets: opsets
    )
  }
}
