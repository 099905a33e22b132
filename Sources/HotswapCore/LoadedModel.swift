import FoundationEssentials
import OnnxInference

/// One model file, loaded, checked and warmed up: what a slot holds. Immutable and shared by every
/// snapshot that uses it; freed when the last snapshot and the last in-flight request drop it.
public final class LoadedModel: Sendable {
  /// The model file's path as the plan resolved it.
  public let path: String
  /// SHA-256 of the file's bytes when it was loaded.
  public let sha256: String
  /// Size of the file in bytes.
  public let fileSize: Int
  /// The version this slot reports: the plan's `version`, else the model's metadata, else its folder.
  public let version: String
  /// The model's own name from its metadata, if any.
  public let modelName: String?
  /// Wall-clock time the load finished.
  public let loadedAt: Date
  /// How long reading, checking and warming up took.
  public let loadDuration: Duration
  /// The executable session.
  public let session: InferenceSession
  /// How features and outputs map.
  public let schema: ModelSchema

  /// Wraps an already created session.
  public init(
    path: String,
    sha256: String,
    fileSize: Int,
    version: String,
    session: InferenceSession,
    loadedAt: Date,
    loadDuration: Duration
  ) {
    self.path = path
    self.sha256 = sha256
    self.fileSize = fileSize
    self.version = version
    self.modelName = session.metadata.name
    self.session = session
    self.schema = ModelSchema(session: session)
    self.loadedAt = loadedAt
    self.loadDuration = loadDuration
  }

  private init(_ model: LoadedModel, version: String, loadDuration: Duration) {
    self.path = model.path
    self.sha256 = model.sha256
    self.fileSize = model.fileSize
    self.version = version
    self.modelName = model.modelName
    self.session = model.session
    self.schema = model.schema
    self.loadedAt = model.loadedAt
    self.loadDuration = loadDuration
  }

  /// The same loaded model (one session, one copy in memory) reporting `version`: two slots may
  /// serve one file under different versions. Returns `self` when the version is already that.
  public func labeled(version: String) -> LoadedModel {
    version == self.version ? self : LoadedModel(self, version: version, loadDuration: loadDuration)
  }

  /// A copy that records how long the whole load took.
  func finished(loadDuration: Duration) -> LoadedModel {
    LoadedModel(self, version: version, loadDuration: loadDuration)
  }

  /// Whether `other` is this same loaded file (one session) under the same version.
  public func isSame(as other: LoadedModel) -> Bool {
    session === other.session && version == other.version
  }

  /// Predicts every row. Rows must each hold `schema.featureCount` features.
  public func predict(rows: [[FeatureValue]]) throws(PredictionError) -> [Prediction] {
    let inputs = try FeatureEncoder(schema: schema).tensors(for: rows)
    let outputs: [Tensor]
    do {
      outputs = try session.run(inputs)
    } catch {
      if error.code == .invalidInput { throw PredictionError(.invalidInput, error.message) }
      throw PredictionError(.inferenceFailed, "model '\(version)' failed: \(error.message)")
    }
    return try PredictionReader(schema: schema).predictions(from: outputs, rowCount: rows.count)
  }
}

extension LoadedModel {
  /// Reads predictions from this model's output tensors (all of them, in its output order), as
  /// `/predict` answers: `rowCount` rows.
  public func predictions(
    fromOutputs outputs: [Tensor],
    rowCount: Int
  ) throws(PredictionError) -> [Prediction] {
    try PredictionReader(schema: schema).predictions(from: outputs, rowCount: rowCount)
  }
}
