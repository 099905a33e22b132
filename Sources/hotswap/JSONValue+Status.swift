import HotswapJSON
import HotswapServer

/// Reading a parsed `/status` document for `hotswap status`.
extension JSONValue {
  /// The number, if this is one.
  var doubleValue: Double? { number }

  /// The elements when this is an array of objects only.
  var objectElements: [JSONObject]? {
    guard let elements = array else { return nil }
    let objects = elements.compactMap(\.object)
    return objects.count == elements.count ? objects : nil
  }

  /// The elements when this is an array of strings only.
  var stringElements: [String]? {
    guard let elements = array else { return nil }
    let strings = elements.compactMap(\.string)
    return strings.count == elements.count ? strings : nil
  }
}
