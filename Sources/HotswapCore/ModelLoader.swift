import FoundationEssentials
import OnnxInference

/// Why a model could not be loaded; names the file and the reason.
public struct ModelLoadError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The model file.
  public let path: String
  /// What is wrong with it.
  public let reason: String

  /// Creates an error.
  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  /// "path: reason".
  public var description: String { "\(path): \(reason)" }
}

/// Reads, checks and warms up model files. Stateless; runs off the request path.
public struct ModelLoader: Sendable {
  /// Files larger than this are refused before reading.
  public var maxFileBytes: Int

  /// Creates a loader.
  public init(maxFileBytes: Int = 1 << 30) {
    self.maxFileBytes = maxFileBytes
  }

  /// Reads the file and returns its bytes and SHA-256, without parsing it.
  public func fingerprint(path: String) throws(ModelLoadError) -> (bytes: [UInt8], sha256: String) {
    let attributes: [FileAttributeKey: Any]
    do {
      attributes = try FileManager.default.attributesOfItem(atPath: path)
    } catch {
      throw ModelLoadError(path: path, reason: "cannot read model file: no such file or not accessible")
    }
    if let type = attributes[.type] as? FileAttributeType, type != .typeRegular, type != .typeSymbolicLink {
      throw ModelLoadError(path: path, reason: "not a regular file")
    }
    if let size = attributes.integer(.size), size > maxFileBytes {
      throw ModelLoadError(path: path, reason: "file is \(size) bytes; the limit is \(maxFileBytes)")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ModelLoadError(path: path, reason: "cannot read model file")
    }
    let bytes = [UInt8](data)
    return (bytes, SHA256.hexDigest(of: bytes))
  }

  /// Loads, checks and warms up the model at `path`. `version` overrides the model's own.
  public func load(path: String, version: String?) throws(ModelLoadError) -> LoadedModel {
    let start = ContinuousClock.now
    let (bytes, digest) = try fingerprint(path: path)
    let session: InferenceSession
    do {
      session = try InferenceSession(bytes: bytes)
    } catch {
      throw ModelLoadError(path: path, reason: error.message)
    }
    let resolvedVersion = version ?? session.metadata.version ?? Self.folderName(of: path)
    let model = LoadedModel(
      path: path,
      sha256: digest,
      fileSize: bytes.count,
      version: resolvedVersion,
      session: session,
      loadedAt: Date(),
      loadDuration: .zero
    )
    try warmUp(model)
    return LoadedModel(
      path: path,
      sha256: digest,
      fileSize: bytes.count,
      version: resolvedVersion,
      session: session,
      loadedAt: Date(),
      loadDuration: ContinuousClock.now - start
    )
  }

  /// The name of the folder holding `path` (`models/iris/v1.0.0/model.onnx` → `v1.0.0`).
  static func folderName(of path: String) -> String {
    let name = LexicalPath.lastComponent(LexicalPath.deletingLastComponent(path))
    return name.isEmpty || name == "/" || name == "." ? "unversioned" : name
  }

  /// Runs the model once on a neutral row so the first real request pays no first-call costs,
  /// and so a model that cannot run at all never takes traffic.
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

  private static func neutralTensor(_ info: TensorInfo) throws -> Tensor {
    let shape = info.shape.map { $0 ?? 1 }
    let count = shape.reduce(1, *)
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
