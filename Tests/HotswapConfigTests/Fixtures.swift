/// Config texts shared by the tests.
enum Fixtures {
  static let file = "/srv/hotswap/conf/active.toml"
  static let directory = "/srv/hotswap/conf"

  /// The example from DESIGN.md, comments included.
  static let design = """
    # conf/active.toml — save it and the running server applies it.
    [server]                 # read once at start; a change here is reported, applied on restart
    listen = "127.0.0.1:8080"
    model_name = "iris"      # the model's name in /v2/models/{name}

    [slots.blue]
    model = "../models/iris/v1.0.0/model.onnx"   # relative to this file
    [slots.green]
    model = "../models/iris/v1.1.0/model.onnx"
    # version = "v1.1.0"     # default: the model's own metadata, else its folder name

    [traffic]                # shares; any non-negative numbers, at least one > 0
    blue = 90
    green = 10
    # sticky_header = "x-user-id"

    # Shorthand instead of [traffic]: active = "green"   (100 % to green). Both at once is an error.

    """

  /// The DESIGN example with the shorthand instead of `[traffic]`.
  static let active = """
    # Everything to green.
    active = "green"   # the shorthand

    [server]
    model_name = "iris"

    [slots.blue]
    model = "../models/iris/v1.0.0/model.onnx"
    [slots.green]
    model = "../models/iris/v1.1.0/model.onnx"
    version = "v1.1.0"

    [guard]
    max_error_rate = 0.05
    window = "2m"

    """

  /// Two slots, for error cases: lines 1–4, then `[traffic]` on line 6.
  static func twoSlots(traffic: String) -> String {
    """
    [slots.blue]
    model = "blue.onnx"
    [slots.green]
    model = "green.onnx"

    \(traffic)
    """
  }

  static func blue(_ version: String) -> String { "\(directory)/../models/iris/\(version)/model.onnx" }
}
