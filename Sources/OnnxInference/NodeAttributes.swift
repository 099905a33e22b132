import FoundationEssentials
import OnnxProto

/// The attributes of one node, by name, with typed accessors that check the declared type.
struct NodeAttributes {
  private let byName: [String: Onnx_AttributeProto]
  private let node: String

  /// Indexes `node`'s attributes; rejects graph-valued attributes (no supported operator has one).
  init(_ proto: Onnx_NodeProto, describedAs node: String) throws(OnnxError) {
    var byName: [String: Onnx_AttributeProto] = [:]
    for attribute in proto.attribute {
      if attribute.type == .graph || attribute.type == .graphs || attribute.hasG || !attribute.graphs.isEmpty
      {
        throw OnnxError(
          .invalidModel,
          "\(node): attribute '\(attribute.name)' holds a subgraph, which is not supported"
        )
      }
      guard byName[attribute.name] == nil else {
        throw OnnxError(.invalidGraph, "\(node): attribute '\(attribute.name)' is given twice")
      }
      byName[attribute.name] = attribute
    }
    self.byName = byName
    self.node = node
  }

  private func attribute(
    _ name: String,
    _ type: Onnx_AttributeProto.AttributeType
  ) throws(OnnxError) -> Onnx_AttributeProto? {
    guard let attribute = byName[name] else { return nil }
    guard attribute.type == type || attribute.type == .undefined else {
      throw OnnxError(
        .invalidGraph,
        "\(node): attribute '\(name)' should be \(type) but is \(attribute.type)"
      )
    }
    return attribute
  }

  /// An integer attribute, or `defaultValue` when absent.
  func int(_ name: String, default defaultValue: Int64) throws(OnnxError) -> Int64 {
    try attribute(name, .int)?.i ?? defaultValue
  }

  /// An optional integer attribute.
  func int(_ name: String) throws(OnnxError) -> Int64? {
    try attribute(name, .int)?.i
  }

  /// A float attribute, or `defaultValue` when absent.
  func float(_ name: String, default defaultValue: Float) throws(OnnxError) -> Float {
    try attribute(name, .float)?.f ?? defaultValue
  }

  /// A string attribute (UTF-8), or `defaultValue` when absent.
  func string(_ name: String, default defaultValue: String) throws(OnnxError) -> String {
    guard let attribute = try attribute(name, .string) else { return defaultValue }
    return String(decoding: attribute.s, as: UTF8.self)
  }

  /// An integer list attribute; empty when absent.
  func ints(_ name: String) throws(OnnxError) -> [Int64] {
    try attribute(name, .ints)?.ints ?? []
  }

  /// A float list attribute; empty when absent.
  func floats(_ name: String) throws(OnnxError) -> [Float] {
    try attribute(name, .floats)?.floats ?? []
  }

  /// A string list attribute (UTF-8); empty when absent.
  func strings(_ name: String) throws(OnnxError) -> [String] {
    (try attribute(name, .strings)?.strings ?? []).map { String(decoding: $0, as: UTF8.self) }
  }

  /// A tensor attribute, decoded, or nil when absent.
  func tensor(_ name: String) throws(OnnxError) -> Tensor? {
    guard let attribute = try attribute(name, .tensor) else { return nil }
    return try InitializerDecoder.decode(attribute.t, what: "\(node): attribute '\(name)'")
  }

  /// Throws when any of `names` is present: attributes this runtime does not implement.
  func rejectUnsupported(_ names: [String]) throws(OnnxError) {
    for name in names where byName[name] != nil {
      throw OnnxError(.unsupportedOperator, "\(node): attribute '\(name)' is not supported")
    }
  }

  /// A string attribute that must be one of `allowed`.
  func choice(_ name: String, default defaultValue: String, allowed: [String]) throws(OnnxError) -> String {
    let value = try string(name, default: defaultValue)
    guard allowed.contains(value) else {
      throw OnnxError(
        .invalidGraph,
        "\(node): attribute '\(name)' is '\(value)', expected one of \(allowed.joined(separator: ", "))"
      )
    }
    return value
  }
}
