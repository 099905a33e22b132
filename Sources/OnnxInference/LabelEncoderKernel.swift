/// The key → value table of a LabelEncoder, with its default.
struct LabelTable: Sendable {
  /// A key or value of one of the three supported kinds.
  enum Item: Hashable, Sendable {
    case string(String)
    case int(Int64)
    /// Floats by bit pattern, NaN normalized, so NaN keys match NaN inputs.
    case float(UInt32)

    static func float(_ value: Float) -> Item {
      .float(value.isNaN ? Float.nan.bitPattern : (value == 0 ? 0 : value.bitPattern))
    }
  }

  var keyType: TensorDataType
  var valueType: TensorDataType
  var map: [Item: Item]
  var fallback: Item

  /// Reads ml opset 2+ attributes: `keys_*`, `values_*`, `default_*`.
  static func readV2(_ context: NodeContext) throws(OnnxError) -> LabelTable {
    let attributes = context.attributes
    let (keyType, keys) = try items(
      context,
      strings: "keys_strings",
      ints: "keys_int64s",
      floats: "keys_floats"
    )
    let (valueType, values) = try items(
      context,
      strings: "values_strings",
      ints: "values_int64s",
      floats: "values_floats"
    )
    guard keys.count == values.count else {
      throw context.error("has \(keys.count) keys but \(values.count) values")
    }
    let fallback: Item
    switch valueType {
    case .string: fallback = .string(try attributes.string("default_string", default: "_Unused"))
    case .int64: fallback = .int(try attributes.int("default_int64", default: -1))
    default: fallback = .float(try attributes.float("default_float", default: -0.0))
    }
    var map: [Item: Item] = [:]
    for (key, value) in zip(keys, values) where map[key] == nil { map[key] = value }
    return LabelTable(keyType: keyType, valueType: valueType, map: map, fallback: fallback)
  }

  /// Reads ml opset 1 attributes: `classes_strings` map strings to their index and back.
  static func readV1(_ context: NodeContext) throws(OnnxError) -> LabelTable {
    let attributes = context.attributes
    let classes = try attributes.strings("classes_strings")
    guard !classes.isEmpty else { throw context.error("has no classes_strings") }
    let input = try context.type(0)
    var map: [Item: Item] = [:]
    if input.dataType == .string {
      for (index, name) in classes.enumerated() where map[.string(name)] == nil {
        map[.string(name)] = .int(Int64(index))
      }
      return LabelTable(
        keyType: .string,
        valueType: .int64,
        map: map,
        fallback: .int(try attributes.int("default_int64", default: -1))
      )
    }
    for (index, name) in classes.enumerated() { map[.int(Int64(index))] = .string(name) }
    return LabelTable(
      keyType: .int64,
      valueType: .string,
      map: map,
      fallback: .string(try attributes.string("default_string", default: "_Unused"))
    )
  }

  private static func items(
    _ context: NodeContext,
    strings: String,
    ints: String,
    floats: String
  ) throws(OnnxError) -> (TensorDataType, [Item]) {
    let attributes = context.attributes
    let s = try attributes.strings(strings)
    let i = try attributes.ints(ints)
    let f = try attributes.floats(floats)
    let present = [s.isEmpty, i.isEmpty, f.isEmpty].filter { !$0 }.count
    guard present == 1 else {
      throw context.error("needs exactly one of \(strings), \(ints), \(floats)")
    }
    if !s.isEmpty { return (.string, s.map { .string($0) }) }
    if !i.isEmpty { return (.int64, i.map { .int($0) }) }
    return (.float, f.map { Item.float($0) })
  }
}

/// Runs a compiled LabelEncoder.
struct LabelEncoderKernel: Kernel {
  let label: String
  let input: Int
  let output: Int
  let table: LabelTable

  func run(_ values: inout [Tensor]) throws(OnnxError) {
    let tensor = values[input]
    let keys: [LabelTable.Item]
    switch tensor.storage {
    case .string(let items): keys = items.map { .string($0) }
    case .int64(let items): keys = items.map { .int($0) }
    case .float(let items): keys = items.map { LabelTable.Item.float($0) }
    default: throw OnnxError(.runtimeFailure, "\(label): unsupported input type \(tensor.dataType.rawValue)")
    }
    let mapped = keys.map { table.map[$0] ?? table.fallback }
    let storage: Tensor.Storage
    switch table.valueType {
    case .string: storage = .string(mapped.map { if case .string(let v) = $0 { v } else { "" } })
    case .int64: storage = .int64(mapped.map { if case .int(let v) = $0 { v } else { 0 } })
    default: storage = .float(mapped.map { if case .float(let v) = $0 { Float(bitPattern: v) } else { 0 } })
    }
    values[output] = Tensor(validShape: tensor.shape, storage: storage)
  }
}
