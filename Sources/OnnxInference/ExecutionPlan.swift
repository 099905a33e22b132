import Synchronization

/// A compiled graph: value slots by index, constants pre-placed, and the kernels in order.
///
/// Each call runs in a workspace: a slot array whose intermediate tensors keep their buffers from
/// one call to the next, so the kernels write into memory a previous call allocated. Workspaces
/// are taken from a pool for the length of one call, so concurrent calls never share one.
struct ExecutionPlan: Sendable {
  /// The initial slot values: constants in their slots, placeholders elsewhere.
  let template: [Tensor]
  /// The slot of each graph input, in input order.
  let inputSlots: [Int]
  /// The compiled nodes in topological order.
  let steps: [any Kernel]
  /// The slot of each graph output, in output order.
  let outputSlots: [Int]
  /// The slots a call writes (graph inputs and node outputs); constants are never written.
  let variableSlots: [Int]
  /// Idle workspaces.
  let pool: WorkspacePool

  init(template: [Tensor], inputSlots: [Int], steps: [any Kernel], outputSlots: [Int]) {
    self.template = template
    self.inputSlots = inputSlots
    self.steps = steps
    self.outputSlots = outputSlots
    self.variableSlots = template.indices.filter { template[$0] == .placeholder }
    self.pool = WorkspacePool()
  }

  /// Runs the graph on already validated inputs. The outputs are new arrays owned by the caller.
  func run(_ inputs: [Tensor]) throws(OnnxError) -> [Tensor] {
    var values = pool.take() ?? template
    for (index, slot) in inputSlots.enumerated() {
      values[slot] = inputs[index]
    }
    for step in steps {
      // On failure the workspace is dropped: its slots may hold the caller's inputs.
      try step.run(&values)
    }
    var outputs: [Tensor] = []
    outputs.reserveCapacity(outputSlots.count)
    for slot in outputSlots {
      outputs.append(values[slot])
    }
    release(&values, outputs: outputs, inputs: inputs)
    var retained = 0
    for slot in variableSlots { retained += values[slot].storage.capacity }
    pool.give(values, retained: retained)
    return outputs
  }

  /// Empties every slot whose buffers the caller holds (inputs, outputs, and the values that share
  /// their arrays), so the workspace keeps only buffers no one else references.
  private func release(_ values: inout [Tensor], outputs: [Tensor], inputs: [Tensor]) {
    for slot in inputSlots { values[slot] = .placeholder }
    for slot in outputSlots { values[slot] = .placeholder }
    for (index, slot) in variableSlots.enumerated() {
      let tensor = values[slot]
      guard let data = tensor.storage.bufferAddress else {
        values[slot] = .placeholder
        continue
      }
      // A value that shares an earlier slot's buffer (Identity, Cast to the same type, Reshape)
      // would make that buffer look shared to the kernel that reuses it.
      if variableSlots[..<index].contains(where: { values[$0].storage.bufferAddress == data }) {
        values[slot] = .placeholder
        continue
      }
      let shape = tensor.shape.bufferAddress
      if outputs.contains(where: { $0.storage.bufferAddress == data })
        || inputs.contains(where: { $0.storage.bufferAddress == data })
      {
        values[slot] = .placeholder
      } else if outputs.contains(where: { $0.shape.bufferAddress == shape })
        || inputs.contains(where: { $0.shape.bufferAddress == shape })
      {
        values[slot].shape = []
      }
    }
  }

  /// The number of workspaces this plan has created (for tests: sequential calls reuse one).
  var workspacesCreated: Int { pool.created }

  /// The addresses of the intermediate buffers held by the idle workspaces (for tests).
  func idleBufferAddresses() -> Set<UnsafeRawPointer> {
    pool.addresses(slots: variableSlots)
  }
}

/// A small pool of per-call workspaces (slot arrays), guarded by a mutex held only to push or pop.
final class WorkspacePool: Sendable {
  /// At most this many idle workspaces are kept; more concurrent callers allocate their own.
  static let capacity = 16
  /// A workspace holding more elements than this in its buffers is dropped, not kept.
  static let maxRetainedElements = 1 << 22

  private struct State {
    var idle: [[Tensor]]
    var created: Int
  }

  private let state: Mutex<State>

  init() {
    var idle: [[Tensor]] = []
    idle.reserveCapacity(Self.capacity)
    state = Mutex(State(idle: idle, created: 0))
  }

  /// An idle workspace, or nil when the caller must make a new one from the template.
  func take() -> [Tensor]? {
    state.withLock { state in
      if let workspace = state.idle.popLast() { return workspace }
      state.created += 1
      return nil
    }
  }

  /// Returns a workspace after a call; it is dropped when the pool is full or when its buffers
  /// have room for more than `maxRetainedElements` elements (`retained`), so one huge batch does
  /// not pin its memory.
  func give(_ workspace: [Tensor], retained: Int) {
    guard retained <= Self.maxRetainedElements else { return }
    state.withLock { state in
      if state.idle.count < Self.capacity { state.idle.append(workspace) }
    }
  }

  /// The number of workspaces created so far.
  var created: Int { state.withLock { $0.created } }

  /// The data buffer addresses in `slots` of every idle workspace.
  func addresses(slots: [Int]) -> Set<UnsafeRawPointer> {
    state.withLock { state in
      var result: Set<UnsafeRawPointer> = []
      for workspace in state.idle {
        for slot in slots {
          if let address = workspace[slot].storage.bufferAddress { result.insert(address) }
        }
      }
      return result
    }
  }
}

extension Tensor.Storage {
  /// The address of the element buffer, or nil when it is empty (empty arrays share no buffer).
  var bufferAddress: UnsafeRawPointer? {
    switch self {
    case .float(let v): v.bufferAddress
    case .double(let v): v.bufferAddress
    case .int64(let v): v.bufferAddress
    case .int32(let v): v.bufferAddress
    case .bool(let v): v.bufferAddress
    case .string(let v): v.bufferAddress
    }
  }
}

extension Tensor.Storage {
  /// The number of elements the buffer has room for.
  var capacity: Int {
    switch self {
    case .float(let v): v.capacity
    case .double(let v): v.capacity
    case .int64(let v): v.capacity
    case .int32(let v): v.capacity
    case .bool(let v): v.capacity
    case .string(let v): v.capacity
    }
  }
}

extension Array {
  /// The address of the element buffer, or nil when the array is empty.
  var bufferAddress: UnsafeRawPointer? {
    isEmpty ? nil : withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
  }
}
