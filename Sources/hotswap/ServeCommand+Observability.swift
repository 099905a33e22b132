import FoundationEssentials
import HotswapConfig
import HotswapCore
import HotswapServer
import Logging

extension ServeCommand {
  /// The request observer with its statistics, metrics and the guard/rollout controller, whose
  /// decisions are kept in the state directory (`delivery.json`) when it is writable.
  static func makeObservability(directory: String, recording: Bool, logger: Logger) -> ServerObservability {
    var recordFile: DeliveryRecordFile? = nil
    do {
      recordFile = try DeliveryRecordFile(directory: directory)
    } catch {
      logger.warning(
        "guard trips and rollout progress will not survive a restart: the state directory is not writable",
        metadata: ["state.directory": "\(directory)", "error": "\(error)"]
      )
    }
    let statistics = RequestStatistics()
    if !recording {
      logger.warning("--no-metrics: requests are not observed; /metrics is off and the guard cannot judge")
    }
    return ServerObservability(
      recording: recording,
      statistics: statistics,
      metrics: HotswapMetrics(),
      delivery: DeliveryController(statistics: recording ? statistics : nil, recordFile: recordFile)
    )
  }
}
