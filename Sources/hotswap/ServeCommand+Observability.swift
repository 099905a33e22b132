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
    let origin = DeliveryInstant.now
    let statistics = RequestStatistics(origin: origin.uptime)
    if !recording {
      logger.warning("--no-metrics: requests are not observed; /metrics is off and the guard cannot judge")
    }
    let metrics = HotswapMetrics()
    // The shadow runs with or without metrics: it is asked for in the config file.
    let shadowStatistics = ShadowStatistics(origin: origin.uptime)
    let shadowMetrics = recording ? ShadowMetrics(registry: metrics.registry) : nil
    let shadow = ShadowMirror(
      stateDirectory: recordFile == nil ? nil : directory,
      statistics: shadowStatistics,
      observer: shadowMetrics,
      logger: logger
    )
    return ServerObservability(
      recording: recording,
      statistics: statistics,
      metrics: metrics,
      delivery: DeliveryController(
        statistics: recording ? statistics : nil,
        recordFile: recordFile,
        shadowStatistics: shadowStatistics
      ),
      shadow: shadow,
      shadowMetrics: shadowMetrics,
      history: ChartHistory(origin: origin)
    )
  }
}
