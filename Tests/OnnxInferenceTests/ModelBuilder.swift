import Foundation
import OnnxProto

@testable import OnnxInference

/// Builds small ONNX models in memory for tests.
enum ModelBuilder {
  /// ONNX element type numbers.
  static let float: Int32 = 1
  static let int64: Int32 = 7
  static let string: Int32 = 8
  static let bool: Int32 = 9
  static let double: Int32 = 11

  /// A node; `domain` "ml" is shorthand for `ai.onnx.ml`.
  static func node(
    _ op: String,
    domain: String = "",
    _ inputs: [String],
    _ outputs: [String],
    name: String? = nil,
    _ attributes: [Onnx_AttributeProto] = []
  ) -> Onnx_NodeProto {
    var node = Onnx_NodeProto()
    node.opType = op
    node.domain = domain == "ml" ? "ai.onnx.ml" : domain
    node.input = inputs
    node.output = outputs
    node.name = name ?? op
    node.attribute = attributes
    return node
  }

  static func attr(_ name: String, int: Int64) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .int
    a.i = int
    return a
  }

  static func attr(_ name: String, float: Float) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .float
    a.f = float
    return a
  }

  static func attr(_ name: String, string: String) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .string
    a.s = Data(string.utf8)
    return a
  }

  static func attr(_ name: String, ints: [Int64]) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .ints
    a.ints = ints
    return a
  }

  static func attr(_ name: String, floats: [Float]) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .floats
    a.floats = floats
    return a
  }

  static func attr(_ name: String, strings: [String]) -> Onnx_AttributeProto {
    var a = Onnx_AttributeProto()
    a.name = name
    a.type = .strings
    a.strings = strings.map { Data($0.utf8) }
    return a
  }

  /// A tensor value description; nil dimensions are dynamic.
  static func value(_ name: String, _ type: Int32, _ dims: [Int64?]) -> Onnx_ValueInfoProto {
    var info = Onnx_ValueInfoProto()
    info.name = name
    var tensor = Onnx_TypeProto.Tensor()
    tensor.elemType = type
    var shape = Onnx_TensorShapeProto()
    shape.dim = dims.map { dim in
      var d = Onnx_TensorShapeProto.Dimension()
      if let dim { d.dimValue = dim } else { d.dimParam = "N" }
      return d
    }
    tensor.shape = shape
    info.type.tensorType = tensor
    return info
  }

  /// A sequence-of-maps output, as ZipMap declares it.
  static func sequenceOfMaps(_ name: String) -> Onnx_ValueInfoProto {
    var info = Onnx_ValueInfoProto()
    info.name = name
    var map = Onnx_TypeProto.Map()
    map.keyType = int64
    var value = Onnx_TypeProto()
    value.tensorType.elemType = float
    map.valueType = value
    var element = Onnx_TypeProto()
    element.mapType = map
    var sequence = Onnx_TypeProto.Sequence()
    sequence.elemType = element
    info.type.sequenceType = sequence
    return info
  }

  static func initializer(_ name: String, int64s: [Int64], dims: [Int64]) -> Onnx_TensorProto {
    var t = Onnx_TensorProto()
    t.name = name
    t.dataType = int64
    t.dims = dims
    t.int64Data = int64s
    return t
  }

  static func initializer(_ name: String, floats: [Float], dims: [Int64]) -> Onnx_TensorProto {
    var t = Onnx_TensorProto()
    t.name = name
    t.dataType = float
    t.dims = dims
    t.floatData = floats
    return t
  }

  static func initializer(_ name: String, strings: [String], dims: [Int64]) -> Onnx_TensorProto {
    var t = Onnx_TensorProto()
    t.name = name
    t.dataType = string
    t.dims = dims
    t.stringData = strings.map { Data($0.utf8) }
    return t
  }

  /// A model proto with the given graph parts.
  static func model(
    nodes: [Onnx_NodeProto],
    inputs: [Onnx_ValueInfoProto],
    outputs: [Onnx_ValueInfoProto],
    initializers: [Onnx_TensorProto] = [],
    opsets: [(String, Int64)] = [("", 17), ("ai.onnx.ml", 3)],
    metadata: [String: String] = [:]
  ) -> Onnx_ModelProto {
    var model = Onnx_ModelProto()
    model.irVersion = 8
    model.producerName = "tests"
    model.producerVersion = "1"
    model.opsetImport = opsets.map { domain, version in
      var entry = Onnx_OperatorSetIdProto()
      entry.domain = domain
      entry.version = version
      return entry
    }
    model.metadataProps = metadata.sorted { $0.key < $1.key }.map { key, value in
      var entry = Onnx_StringStringEntryProto()
      entry.key = key
      entry.value = value
      return entry
    }
    var graph = Onnx_GraphProto()
    graph.name = "test"
    graph.node = nodes
    graph.input = inputs
    graph.output = outputs
    graph.initializer = initializers
    model.graph = graph
    return model
  }

  /// Serialized bytes of a model proto.
  static func bytes(_ model: Onnx_ModelProto) -> [UInt8] {
    try! model.serializedBytes()
  }

  /// A session for a single-node model with one float input `X` of `[N, features]`.
  static func session(
    _ node: Onnx_NodeProto,
    features: Int64,
    outputs: [Onnx_ValueInfoProto],
    inputType: Int32 = float,
    initializers: [Onnx_TensorProto] = [],
    opsets: [(String, Int64)] = [("", 17), ("ai.onnx.ml", 3)]
  ) throws -> InferenceSession {
    let model = model(
      nodes: [node],
      inputs: [value("X", inputType, [nil, features])],
      outputs: outputs,
      initializers: initializers,
      opsets: opsets
    )
    return try InferenceSession(bytes: bytes(model))
  }

  /// A float matrix tensor.
  static func matrix(_ rows: [[Float]]) -> Tensor {
    try! Tensor(shape: [rows.count, rows.first?.count ?? 0], storage: .float(rows.flatMap { $0 }))
  }
}

extension Tensor {
  /// The float elements (test helper).
  var floats: [Float] {
    if case .float(let values) = storage { return values }
    return []
  }

  /// The int64 elements (test helper).
  var int64s: [Int64] {
    if case .int64(let values) = storage { return values }
    return []
  }

  /// The string elements (test helper).
  var strings: [String] {
    if case .string(let values) = storage { return values }
    return []
  }
}
