import HotswapCore
import HotswapJSON
import NIOHTTP1

extension RESTRouter {
  /// `GET /health`, seed-compatible and routed like traffic: the answering slot's version is the
  /// `version`, so calling it 20 times and counting versions shows the split, as the seeds do.
  func health(_ request: RESTRequest) -> RESTResponse {
    guard let snapshot = environment.store.snapshot else {
      var writer = JSONWriter()
      writer.beginObject()
      writer.key("status")
      writer.string("starting")
      writer.key("error")
      writer.string("no model is loaded yet")
      writer.endObject()
      return .json(.serviceUnavailable, writer)
    }
    let slot: ServingSlot
    do {
      slot = try chooseSlot(snapshot, request)
    } catch {
      return error.response
    }
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("status")
    writer.string("ok")
    writer.key("version")
    writer.string(slot.version)
    writer.key("slot")
    writer.string(slot.name)
    writer.key("model_name")
    writer.string(environment.modelName)
    writer.key("generation")
    writer.integer(Int64(snapshot.generation))
    // Each slot's version is `model_version`, so that the one `"version"` in the body is the
    // answering slot's: counting `"version":"…"` over 20 calls (the seeds' split check) counts
    // answers, not the slot table.
    writer.key("slots")
    writer.beginObject()
    for serving in snapshot.slots {
      writer.key(serving.name)
      writer.beginObject()
      writer.key("model_version")
      writer.string(serving.version)
      writer.key("share")
      writer.number(serving.share)
      writer.endObject()
    }
    writer.endObject()
    if let error = environment.state.value.lastError {
      writer.key("last_error")
      writer.string(error.errors.joined(separator: "; "))
    }
    writer.endObject()
    return .json(.ok, writer, headers: Self.slotHeaders(slot, generation: snapshot.generation))
  }

  /// `X-Hotswap-Slot`, `X-Model-Version` and `X-Hotswap-Generation` for a response served by
  /// `slot` of the snapshot with that generation.
  static func slotHeaders(_ slot: ServingSlot, generation: UInt64) -> HTTPHeaders {
    [
      "X-Hotswap-Slot": slot.name, "X-Model-Version": slot.version,
      "X-Hotswap-Generation": String(generation),
    ]
  }
}
