/// A tree ensemble compiled into flat arrays: nodes in per-tree preorder (children after their
/// parent, so a walk always terminates), leaf weights contiguous per leaf.
struct TreeEnsemble: Sendable {
  /// Upper bound on nodes, so a hostile file cannot make loading unbounded.
  static let maxNodes = 10_000_000

  /// Comparison of a branch node; `leaf` ends a walk.
  enum Mode: UInt8, Sendable {
    case leaf, leq, lt, gte, gt, eq, neq

    init?(_ name: String) {
      switch name {
      case "LEAF": self = .leaf
      case "BRANCH_LEQ": self = .leq
      case "BRANCH_LT": self = .lt
      case "BRANCH_GTE": self = .gte
      case "BRANCH_GT": self = .gt
      case "BRANCH_EQ": self = .eq
      case "BRANCH_NEQ": self = .neq
      default: return nil
      }
    }
  }

  /// One node. For a leaf, `trueChild`/`falseChild` hold the start and end of its weights.
  struct Node: Sendable {
    var threshold: Float
    var feature: Int32
    var mode: Mode
    var missingTracksTrue: Bool
    var trueChild: Int32
    var falseChild: Int32
  }

  var nodes: [Node]
  var roots: [Int32]
  /// Target (class or regression output) of each leaf weight.
  var weightTargets: [Int32]
  /// Value of each leaf weight.
  var weightValues: [Float]
  /// The number of input columns the trees read (largest feature id + 1).
  var featureCount: Int
  /// Whether every branch is BRANCH_LEQ (enables the fast walk).
  var allLessOrEqual: Bool

  /// The raw attributes describing the trees and their leaf weights.
  struct Attributes {
    var treeIds: [Int64]
    var nodeIds: [Int64]
    var featureIds: [Int64]
    var modes: [String]
    var values: [Float]
    var trueIds: [Int64]
    var falseIds: [Int64]
    var missingTracksTrue: [Int64]
    var weightTreeIds: [Int64]
    var weightNodeIds: [Int64]
    var weightTargetIds: [Int64]
    var weights: [Float]
  }

  private struct Key: Hashable {
    var tree: Int64
    var node: Int64
  }

  /// Compiles `a`, checking every id and size; `targets` bounds the weight target ids.
  init(_ a: Attributes, targets: Int, context: NodeContext) throws(OnnxError) {
    let count = a.nodeIds.count
    guard count > 0 else { throw context.error("has no tree nodes") }
    guard count <= Self.maxNodes else {
      throw OnnxError(.invalidModel, "\(context.label): \(count) tree nodes is more than \(Self.maxNodes)")
    }
    for (name, length) in [
      ("nodes_treeids", a.treeIds.count), ("nodes_featureids", a.featureIds.count),
      ("nodes_modes", a.modes.count),
      ("nodes_values", a.values.count), ("nodes_truenodeids", a.trueIds.count),
      ("nodes_falsenodeids", a.falseIds.count),
    ] where length != count {
      throw context.error("\(name) has \(length) entries, nodes_nodeids has \(count)")
    }
    guard a.missingTracksTrue.isEmpty || a.missingTracksTrue.count == count else {
      throw context.error(
        "nodes_missing_value_tracks_true has \(a.missingTracksTrue.count) entries, expected \(count)"
      )
    }
    let weightCount = a.weights.count
    guard a.weightTreeIds.count == weightCount, a.weightNodeIds.count == weightCount,
      a.weightTargetIds.count == weightCount
    else {
      throw context.error("leaf weight attributes have different lengths")
    }
    var index: [Key: Int] = [:]
    index.reserveCapacity(count)
    var rootSources: [Int] = []
    for i in 0..<count {
      let key = Key(tree: a.treeIds[i], node: a.nodeIds[i])
      guard index[key] == nil else { throw context.error("tree \(key.tree) has node \(key.node) twice") }
      index[key] = i
      if i == 0 || a.treeIds[i] != a.treeIds[i - 1] { rootSources.append(i) }
    }
    var modes: [Mode] = []
    modes.reserveCapacity(count)
    var maxFeature: Int64 = -1
    var allLeq = true
    for i in 0..<count {
      guard let mode = Mode(a.modes[i]) else { throw context.error("unknown node mode '\(a.modes[i])'") }
      modes.append(mode)
      if mode != .leaf {
        guard a.featureIds[i] >= 0, a.featureIds[i] < 1 << 24 else {
          throw context.error("invalid feature id \(a.featureIds[i])")
        }
        maxFeature = max(maxFeature, a.featureIds[i])
        if mode != .leq { allLeq = false }
      }
    }
    // Leaf weights grouped per source node.
    var weightsPerNode = [[Int]](repeating: [], count: count)
    for w in 0..<weightCount {
      guard let node = index[Key(tree: a.weightTreeIds[w], node: a.weightNodeIds[w])] else {
        throw context.error(
          "a leaf weight refers to missing node \(a.weightNodeIds[w]) of tree \(a.weightTreeIds[w])"
        )
      }
      guard modes[node] == .leaf else {
        throw context.error("a weight refers to branch node \(a.weightNodeIds[w])")
      }
      guard a.weightTargetIds[w] >= 0, a.weightTargetIds[w] < targets else {
        throw context.error("weight target id \(a.weightTargetIds[w]) is out of range (0..<\(targets))")
      }
      weightsPerNode[node].append(w)
    }
    var nodes: [Node] = []
    nodes.reserveCapacity(count)
    var roots: [Int32] = []
    var weightTargets: [Int32] = []
    var weightValues: [Float] = []
    var placed = [Int32](repeating: -1, count: count)
    for source in rootSources {
      guard placed[source] < 0 else {
        throw context.error("tree \(a.treeIds[source]) reuses nodes of another tree")
      }
      roots.append(Int32(nodes.count))
      // Iterative preorder; children are patched once placed.
      var stack: [(source: Int, parent: Int, isTrue: Bool)] = [(source, -1, false)]
      while let (current, parent, isTrue) = stack.popLast() {
        guard placed[current] < 0 else {
          throw context.error(
            "tree \(a.treeIds[current]) has a cycle or a shared node at node \(a.nodeIds[current])"
          )
        }
        let position = nodes.count
        placed[current] = Int32(position)
        if parent >= 0 {
          if isTrue {
            nodes[parent].trueChild = Int32(position)
          } else {
            nodes[parent].falseChild = Int32(position)
          }
        }
        let mode = modes[current]
        var node = Node(
          threshold: a.values[current],
          feature: Int32(clamping: max(a.featureIds[current], 0)),
          mode: mode,
          missingTracksTrue: a.missingTracksTrue.isEmpty ? false : a.missingTracksTrue[current] != 0,
          trueChild: -1,
          falseChild: -1
        )
        if mode == .leaf {
          node.trueChild = Int32(weightValues.count)
          for w in weightsPerNode[current] {
            weightTargets.append(Int32(a.weightTargetIds[w]))
            weightValues.append(a.weights[w])
          }
          node.falseChild = Int32(weightValues.count)
          nodes.append(node)
          continue
        }
        nodes.append(node)
        let tree = a.treeIds[current]
        guard let t = index[Key(tree: tree, node: a.trueIds[current])],
          let f = index[Key(tree: tree, node: a.falseIds[current])]
        else {
          throw context.error("node \(a.nodeIds[current]) of tree \(tree) points to a missing child")
        }
        stack.append((f, position, false))
        stack.append((t, position, true))
      }
    }
    self.nodes = nodes
    self.roots = roots
    self.weightTargets = weightTargets
    self.weightValues = weightValues
    self.featureCount = Int(maxFeature + 1)
    self.allLessOrEqual = allLeq
  }

  /// Sums the leaf weights reached by `row` in every tree into `scores` (per target).
  @inline(__always)
  func accumulate(
    row: UnsafePointer<Float>,
    nodes: UnsafeBufferPointer<Node>,
    roots: UnsafeBufferPointer<Int32>,
    targets: UnsafeBufferPointer<Int32>,
    weights: UnsafeBufferPointer<Float>,
    into scores: UnsafeMutablePointer<Float>
  ) {
    for root in roots {
      let leaf = walk(row: row, from: Int(root), nodes: nodes)
      let node = nodes[leaf]
      for w in Int(node.trueChild)..<Int(node.falseChild) {
        scores[Int(targets[w])] += weights[w]
      }
    }
  }

  /// The index of the leaf `row` reaches from `start`.
  @inline(__always)
  func walk(row: UnsafePointer<Float>, from start: Int, nodes: UnsafeBufferPointer<Node>) -> Int {
    var index = start
    if allLessOrEqual {
      while true {
        let node = nodes[index]
        if node.mode == .leaf { return index }
        let x = row[Int(node.feature)]
        let goTrue = x <= node.threshold || (node.missingTracksTrue && x.isNaN)
        index = Int(goTrue ? node.trueChild : node.falseChild)
      }
    }
    while true {
      let node = nodes[index]
      if node.mode == .leaf { return index }
      let x = row[Int(node.feature)]
      let goTrue: Bool
      if x.isNaN && node.missingTracksTrue {
        goTrue = true
      } else {
        switch node.mode {
        case .leaf: return index
        case .leq: goTrue = x <= node.threshold
        case .lt: goTrue = x < node.threshold
        case .gte: goTrue = x >= node.threshold
        case .gt: goTrue = x > node.threshold
        case .eq: goTrue = x == node.threshold
        case .neq: goTrue = x != node.threshold
        }
      }
      index = Int(goTrue ? node.trueChild : node.falseChild)
    }
  }
}
