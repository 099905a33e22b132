import FoundationEssentials

extension Dictionary where Key == FileAttributeKey, Value == Any {
  /// An integer attribute (size, permissions) as `Int`. FoundationEssentials stores these as
  /// unsigned integers, or as `NSNumber` when full Foundation is loaded in the process (a
  /// dependency may load it); the concrete casts below bridge from `NSNumber` too.
  package func integer(_ key: FileAttributeKey) -> Int? {
    let value = self[key]
    if let value = value as? Int { return value }
    if let value = value as? UInt { return Int(exactly: value) }
    if let value = value as? UInt64 { return Int(exactly: value) }
    if let value = value as? Int64 { return Int(exactly: value) }
    if let value = value as? UInt32 { return Int(value) }
    if let value = value as? UInt16 { return Int(value) }
    return nil
  }
}
