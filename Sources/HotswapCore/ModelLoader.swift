import FoundationEssentials
import OnnxInference
import SystemPackage

/// Reads, checks and warms up model files. Stateless; runs off the request path (the reconciler
/// calls it on a thread of its own, never on the actor's or an event loop's).
public struct ModelLoader: Sendable {
  /// Files larger than this are refused before reading; for a symlink, the size of its target.
  public var maxFileBytes: Int
  /// Bounds on the sizes the model declares.
  public var limits: ModelLimits

  /// Creates a loader.
  public init(maxFileBytes: Int = InferenceSession.maxModelBytes, limits: ModelLimits = .defaults) {
    self.maxFileBytes = maxFileBytes
    self.limits = limits
  }

  /// Reads the file and returns its bytes and SHA-256, without parsing it. A FIFO, a device or a
  /// directory is refused without being opened; the size limit is checked on the opened file.
  public func fingerprint(path: String) throws(ModelLoadError) -> (bytes: [UInt8], sha256: String) {
    let bytes: [UInt8]
    do {
      bytes = try RegularFile.read(path, limit: maxFileBytes)
    } catch {
      throw ModelLoadError(path: path, reason: error.reason)
    }
    return (bytes, SHA256.hexDigest(of: bytes))
  }

  /// Loads, checks and warms up the model at `path`. `version` overrides the model's own.
  public func load(path: String, version: String?) throws(ModelLoadError) -> LoadedModel {
    let model = try load(path: path)
    return version.map { model.labeled(version: $0) } ?? model
  }

  /// Loads, checks and warms up the model at `path`, versioned by its metadata, else its folder.
  public func load(path: String) throws(ModelLoadError) -> LoadedModel {
    try load(path: path, reusing: nil)
  }

  /// Like ``load(path:)``, but returns `existing` when the file still holds the bytes it was
  /// loaded from (same SHA-256): a touched file is read once, not reloaded.
  public func load(path: String, reusing existing: LoadedModel?) throws(ModelLoadError) -> LoadedModel {
    let start = ContinuousClock.now
    let (bytes, digest) = try fingerprint(path: path)
    if let existing, existing.sha256 == digest { return existing }
    let session: InferenceSession
    do {
      session = try InferenceSession(bytes: bytes)
    } catch {
      throw ModelLoadError(path: path, reason: error.message)
    }
    if let reason = limits.check(session.inputs) {
      throw ModelLoadError(path: path, reason: reason)
    }
    let model = LoadedModel(
      path: path,
      sha256: digest,
      fileSize: bytes.count,
      version: session.metadata.version ?? Self.folderName(of: path),
      session: session,
      loadedAt: Date(),
      loadDuration: .zero
    )
    try warmUp(model)
    return model.finished(loadDuration: ContinuousClock.now - start)
  }

  /// The name of the folder holding `path` (`models/iris/v1.0.0/model.onnx` → `v1.0.0`).
  static func folderName(of path: String) -> String {
    let name = FilePath(path).removingLastComponent().lastComponent?.string ?? ""
    return name.isEmpty || name == "/" || name == "." ? "unversioned" : name
  }

  /// Runs the model once on a neutral row so the first real request pays no first-call costs,
  /// and so a model that cannot run at all never takes traffic. Its inputs were checked against
  /// ``ModelLimits`` first, so the row's size is bounded.
  private func warmUp(_ model: LoadedModel) throws(ModelLoadError) {
    do {
      switch model.schema.layout {
      case .matrix:
        _ = try model.predict(rows: [Array(repeating: .number(0), count: model.schema.featureCount)])
      case .columns(let dataTypes):
        _ = try model.predict(rows: [dataTypes.map { $0 == .string ? .string("") : .number(0) }])
      case .tensorsOnly:
        _ = try model.session.run(model.session.inputs.map(Self.neutralTensor))
      }
    } catch let error as PredictionError {
      throw ModelLoadError(path: model.path, reason: "model failed its warm-up run: \(error.message)")
    } catch let error as OnnxError {
      throw ModelLoadError(path: model.path, reason: "model failed its warm-up run: \(error.message)")
    } catch {
      throw ModelLoadError(path: model.path, reason: "model failed its warm-up run: \(error)")
    }
  }

  /// One row of zeros (empty strings) for `info`; dynamic axes are 1. The caller checked the
  /// element count against ``ModelLimits``.
  private static func neutralTensor(_ info: TensorInfo) throws -> Tensor {
    let shape = info.shape.map { $0 ?? 1 }
    let count = ModelLimits.rowElements(of: info) ?? 0
    let storage: Tensor.Storage
    switch info.dataType {
    case .float: storage = .float(Array(repeating: 0, count: count))
    case .double: storage = .double(Array(repeating: 0, count: count))
    case .int64: storage = .int64(Array(repeating: 0, count: count))
    case .int32: storage = .int32(Array(repeating: 0, count: count))
    case .bool: storage = .bool(Array(repeating: false, count: count))
    case .string: storage = .string(Array(repeating: "", count: count))
    }
    return try Tensor(shape: shape, storage: storage)
  }
}
