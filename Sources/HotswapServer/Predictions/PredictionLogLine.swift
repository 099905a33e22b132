import HotswapCore
import HotswapJSON
import OnnxInference

/// Formats a ``PredictionLogEntry`` as one JSON line of `predictions.jsonl`:
///
/// ```json
/// {"time":"2026-12-07T15:40:01.123Z","slot":"green","version":"v2","protocol":"rest",
///  "endpoint":"predict","route":"weighted","latency_ms":0.041,"rows":1,"outcome":"ok",
///  "predictions":[{"prediction":0,"class_name":"setosa","confidence":0.97}]}
/// ```
///
/// `outcome` is `ok`, `client_error` or `server_error` (then `error` holds the message the client
/// got); `sticky_key` appears when the request carried one; `truncated` when the request had more
/// rows than a line carries; `inputs` only with `[prediction_log] inputs = true`. An `infer` call
/// on a model whose outputs do not read as predictions (not a classifier or regressor) lists its
/// `outputs` by name, datatype and shape, with the data when small.
enum PredictionLogLine {
  static func append(_ entry: PredictionLogEntry, to buffer: inout [UInt8]) {
    var writer = JSONWriter(capacity: 256)
    writer.beginObject()
    writer.key("time")
    writer.string(ISO8601Time.string(from: entry.servedAt, fractionalSeconds: true))
    writer.key("slot")
    writer.string(entry.slot.name)
    writer.key("version")
    writer.string(entry.slot.version)
    writer.key("protocol")
    writer.string(entry.wireProtocol.rawValue)
    writer.key("endpoint")
    writer.string(entry.endpoint)
    writer.key("route")
    writer.string(entry.reason.rawValue)
    if let stickyKey = entry.stickyKey {
      writer.key("sticky_key")
      writer.string(stickyKey)
    }
    writer.key("latency_ms")
    writer.number((entry.latency.milliseconds * 1000).rounded() / 1000)
    writer.key("rows")
    writer.integer(Int64(entry.rows))
    if entry.rows > PredictionLogEntry.maxRows {
      writer.key("truncated")
      writer.bool(true)
    }
    writeOutcome(entry, into: &writer)
    if let input = entry.input, !input.isEmpty {
      writer.key("inputs")
      switch input {
      case .rows(let rows):
        writer.beginArray()
        for row in rows {
          writer.beginArray()
          for feature in row {
            switch feature {
            case .number(let value): writer.number(value)
            case .string(let value): writer.string(value)
            case .missing: writer.null()
            }
          }
          writer.endArray()
        }
        writer.endArray()
      case .tensors(let tensors):
        let names = entry.slot.model.session.inputs.map(\.name)
        writeTensors(tensors, names: names, into: &writer)
      }
    }
    writer.endObject()
    buffer.append(contentsOf: writer.bytes)
    buffer.append(UInt8(ascii: "\n"))
  }

  private static func writeOutcome(_ entry: PredictionLogEntry, into writer: inout JSONWriter) {
    writer.key("outcome")
    switch entry.outcome {
    case .failed(let message, let serverSide):
      writer.string(serverSide ? "server_error" : "client_error")
      writer.key("error")
      writer.string(message)
    case .predictions(let predictions):
      writer.string("ok")
      writePredictions(predictions, schema: entry.slot.model.schema, into: &writer)
    case .tensors(let tensors):
      writer.string("ok")
      writer.key("outputs")
      writeTensors(tensors, names: entry.slot.model.session.outputs.map(\.name), into: &writer)
    }
  }

  private static func writePredictions(
    _ predictions: [Prediction],
    schema: ModelSchema,
    into writer: inout JSONWriter
  ) {
    writer.key("predictions")
    writer.beginArray()
    for prediction in predictions {
      writer.beginObject()
      RESTRouter.write(prediction, classNames: schema, into: &writer, asList: false, probabilities: false)
      writer.endObject()
    }
    writer.endArray()
  }

  private static func writeTensors(
    _ tensors: [PredictionLogEntry.LoggedTensor],
    names: [String],
    into writer: inout JSONWriter
  ) {
    writer.beginArray()
    for (index, tensor) in tensors.enumerated() {
      writer.beginObject()
      if index < names.count {
        writer.key("name")
        writer.string(names[index])
      }
      writer.key("datatype")
      writer.string(tensor.dataType.rawValue)
      writer.key("shape")
      writer.beginArray()
      for dimension in tensor.shape { writer.integer(Int64(dimension)) }
      writer.endArray()
      if let storage = tensor.storage {
        writer.key("data")
        writeElements(storage, into: &writer)
      }
      writer.endObject()
    }
    writer.endArray()
  }

  private static func writeElements(_ storage: Tensor.Storage, into writer: inout JSONWriter) {
    writer.beginArray()
    switch storage {
    case .float(let values): for value in values { writer.number(value) }
    case .double(let values): for value in values { writer.number(value) }
    case .int64(let values): for value in values { writer.integer(value) }
    case .int32(let values): for value in values { writer.integer(Int64(value)) }
    case .bool(let values): for value in values { writer.bool(value) }
    case .string(let values): for value in values { writer.string(value) }
    }
    writer.endArray()
  }
}
