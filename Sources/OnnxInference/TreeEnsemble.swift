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

  /// One node. A leaf points to itself on both sides, so walks can run a fixed number of steps.
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
  /// The depth (steps from root to its deepest leaf) of each tree.
  var depths: [Int32]
  /// For each node, the start of its leaf weights (`weightStart[i]..<weightStart[i + 1]`).
  var weightStart: [Int32]
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
    var depths: [Int32] = []
    var weightStart: [Int32] = []
    weightStart.reserveCapacity(count + 1)
    var weightTargets: [Int32] = []
    var weightValues: [Float] = []
    var placed = [Int32](repeating: -1, count: count)
    for source in rootSources {
      guard placed[source] < 0 else {
        throw context.error("tree \(a.treeIds[source]) reuses nodes of another tree")
      }
      roots.append(Int32(nodes.count))
      var depth = 0
      // Iterative preorder; children are patched once placed.
      var stack: [(source: Int, parent: Int, isTrue: Bool, depth: Int)] = [(source, -1, false, 0)]
      while let (current, parent, isTrue, level) = stack.popLast() {
        depth = max(depth, level)
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
        weightStart.append(Int32(weightValues.count))
        if mode == .leaf {
          for w in weightsPerNode[current] {
            weightTargets.append(Int32(a.weightTargetIds[w]))
            weightValues.append(a.weights[w])
          }
          node.feature = 0
          node.trueChild = Int32(position)
          node.falseChild = Int32(position)
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
        stack.append((f, position, false, level + 1))
        stack.append((t, position, true, level + 1))
      }
      depths.append(Int32(depth))
    }
    weightStart.append(Int32(weightValues.count))
    self.nodes = nodes
    self.roots = roots
    self.depths = depths
    self.weightStart = weightStart
    self.weightTargets = weightTargets
    self.weightValues = weightValues
    self.featureCount = Int(maxFeature + 1)
    self.allLessOrEqual = allLeq
  }

  /// Adds to `scores` (row-major, `targets` per row) the leaf weights every row of `rows`
  /// reaches in every tree. Trees are walked in order for each row, blocks of rows in lockstep.
  func accumulate(
    features: UnsafePointer<Float>,
    columns: Int,
    rows: Range<Int>,
    targets: Int,
    into scores: UnsafeMutablePointer<Float>
  ) {
    nodes.withUnsafeBufferPointer { nodes in
      weightStart.withUnsafeBufferPointer { starts in
        weightTargets.withUnsafeBufferPointer { ids in
          weightValues.withUnsafeBufferPointer { weights in
            if rows.count == 1 && allLessOrEqual {
              let row = features + rows.lowerBound * columns
              let out = scores + rows.lowerBound * targets
              for root in roots {
                let leaf = Self.leafOfSingleRow(row, from: Int(root), nodes: nodes)
                var w = Int(starts[leaf])
                let end = Int(starts[leaf &+ 1])
                while w < end {
                  out[Int(ids[w])] += weights[w]
                  w &+= 1
                }
              }
              return
            }
            withUnsafeTemporaryAllocation(of: Int.self, capacity: Self.block) { position in
              var first = rows.lowerBound
              while first < rows.upperBound {
                let count = min(Self.block, rows.upperBound - first)
                for tree in roots.indices {
                  for r in 0..<count { position[r] = Int(roots[tree]) }
                  walk(
                    features + first * columns,
                    columns: columns,
                    count: count,
                    depth: Int(depths[tree]),
                    nodes: nodes,
                    position: position
                  )
                  for r in 0..<count {
                    let leaf = position[r]
                    let out = scores + (first &+ r) &* targets
                    var w = Int(starts[leaf])
                    let end = Int(starts[leaf &+ 1])
                    while w < end {
                      out[Int(ids[w])] += weights[w]
                      w &+= 1
                    }
                  }
                }
                first += count
              }
            }
          }
        }
      }
    }
  }

  /// Rows walked together through one tree.
  static let block = 16

  /// Moves each of `count` rows from its `position` down `depth` levels (leaves stay put).
  @inline(__always)
  private func walk(
    _ features: UnsafePointer<Float>,
    columns: Int,
    count: Int,
    depth: Int,
    nodes: UnsafeBufferPointer<Node>,
    position: UnsafeMutableBufferPointer<Int>
  ) {
    if count == 1 && allLessOrEqual {
      position[0] = Self.leafOfSingleRow(features, from: position[0], nodes: nodes)
      return
    }
    if allLessOrEqual {
      // Integer selects instead of branches: a mispredicted branch costs more than the walk.
      for _ in 0..<depth {
        for r in 0..<count {
          let node = nodes[position[r]]
          let x = features[r &* columns &+ Int(node.feature)]
          let lessOrEqual = x <= node.threshold ? 1 : 0
          let missing = x.isNaN && node.missingTracksTrue ? 1 : 0
          let falseChild = Int(node.falseChild)
          position[r] = falseChild &+ (Int(node.trueChild) &- falseChild) &* (lessOrEqual | missing)
        }
      }
      return
    }
    for _ in 0..<depth {
      for r in 0..<count {
        let node = nodes[position[r]]
        let x = features[r * columns + Int(node.feature)]
        let goTrue: Bool
        if x.isNaN && node.missingTracksTrue {
          goTrue = true
        } else {
          switch node.mode {
          case .leaf, .leq: goTrue = x <= node.threshold
          case .lt: goTrue = x < node.threshold
          case .gte: goTrue = x >= node.threshold
          case .gt: goTrue = x > node.threshold
          case .eq: goTrue = x == node.threshold
          case .neq: goTrue = x != node.threshold
          }
        }
        let falseChild = Int(node.falseChild)
        position[r] = falseChild &+ (Int(node.trueChild) &- falseChild) &* (goTrue ? 1 : 0)
      }
    }
  }

  /// The leaf one row reaches from `start` in an all-BRANCH_LEQ ensemble. A single row stops at
  /// its leaf instead of walking the tree's full depth: deep forests have many shallow leaves.
  @inline(__always)
  private static func leafOfSingleRow(
    _ row: UnsafePointer<Float>,
    from start: Int,
    nodes: UnsafeBufferPointer<Node>
  ) -> Int {
    var index = start
    while true {
      let node = nodes[index]
      if node.mode == .leaf { return index }
      let x = row[Int(node.feature)]
      let goTrue = x <= node.threshold || (x.isNaN && node.missingTracksTrue)
      index = Int(goTrue ? node.trueChild : node.falseChild)
    }
  }

  /// The leaf `row` reaches in tree `tree`.
  func leaf(of row: UnsafePointer<Float>, tree: Int) -> Int {
    var position = Int(roots[tree])
    nodes.withUnsafeBufferPointer { nodes in
      withUnsafeMutablePointer(to: &position) { pointer in
        walk(
          row,
          columns: 0,
          count: 1,
          depth: Int(depths[tree]),
          nodes: nodes,
          position: UnsafeMutableBufferPointer(start: pointer, count: 1)
        )
      }
    }
    return position
  }
}
