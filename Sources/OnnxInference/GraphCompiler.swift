import OnnxProto

/// Checks a decoded model and compiles its graph into an `ExecutionPlan`.
struct GraphCompiler {
  /// Upper bound on nodes in a graph, so a hostile file cannot make compilation unbounded.
  static let maxNodes = 100_000

  /// The result of compiling a model.
  struct Output {
    /// The runnable plan.
    var plan: ExecutionPlan
    /// The graph inputs (initializers excluded).
    var inputs: [TensorInfo]
    /// The graph outputs, ZipMap outputs served as their input tensor.
    var outputs: [TensorInfo]
    /// `domain:op@opset` of each distinct operator, in first-use order.
    var operators: [String]
    /// Constant initializers by name.
    var constants: [String: Tensor]
  }

  private var slots: [Tensor] = []
  private var defined: [String: (slot: Int, type: ValueType)] = [:]
  private var constants: [String: Tensor] = [:]
  /// For each value name, the index of the last node that reads it (graph outputs: never freed).
  private var lastUse: [String: Int] = [:]
  /// The names of the graph inputs (initializers excluded).
  private var inputNames: Set<String> = []

  /// Normalized domain → opset version, with duplicated entries merged.
  static func opsets(of model: Onnx_ModelProto) throws(OnnxError) -> [String: Int64] {
    var opsets: [String: Int64] = [:]
    for entry in model.opsetImport {
      let domain = normalized(domain: entry.domain)
      guard entry.version >= 1 else {
        throw OnnxError(.invalidModel, "opset import for domain '\(domain)' has version \(entry.version)")
      }
      opsets[domain] = max(opsets[domain] ?? 0, entry.version)
    }
    return opsets
  }

  /// The domain name with the default domain spelled `ai.onnx`.
  static func normalized(domain: String) -> String {
    domain.isEmpty ? OperatorRegistry.defaultDomain : domain
  }

  /// Compiles `graph` using the `opsets` imported by its model.
  static func compile(_ graph: Onnx_GraphProto, opsets: [String: Int64]) throws(OnnxError) -> Output {
    var compiler = GraphCompiler()
    return try compiler.run(graph, opsets: opsets)
  }

  private mutating func allocate(_ tensor: Tensor = .placeholder) -> Int {
    slots.append(tensor)
    return slots.count - 1
  }

  private mutating func run(_ graph: Onnx_GraphProto, opsets: [String: Int64]) throws(OnnxError) -> Output {
    guard !graph.node.isEmpty else {
      throw OnnxError(.invalidGraph, "the graph has no nodes")
    }
    guard graph.node.count <= Self.maxNodes else {
      throw OnnxError(.invalidModel, "the graph has \(graph.node.count) nodes, more than \(Self.maxNodes)")
    }
    guard !graph.output.isEmpty else {
      throw OnnxError(.invalidGraph, "the graph has no outputs")
    }
    for initializer in graph.initializer {
      let name = initializer.name
      guard !name.isEmpty, constants[name] == nil else {
        throw OnnxError(.invalidGraph, "initializer '\(name)' is unnamed or defined twice")
      }
      let tensor = try InitializerDecoder.decode(initializer, what: "initializer '\(name)'")
      constants[name] = tensor
      let slot = allocate(tensor)
      defined[name] = (slot, ValueType(dataType: tensor.dataType, shape: tensor.shape.map { $0 }))
    }
    let (inputs, inputSlots) = try compileInputs(graph)
    for (index, node) in graph.node.enumerated() {
      for name in node.input where !name.isEmpty { lastUse[name] = index }
    }
    for output in graph.output { lastUse[output.name] = Int.max }
    var steps: [any Kernel] = []
    var operators: [String] = []
    for (index, node) in graph.node.enumerated() {
      let domain = Self.normalized(domain: node.domain)
      let nodeName = node.name.isEmpty ? "#\(index)" : node.name
      guard let opset = opsets[domain] else {
        throw OnnxError(
          .unsupportedOperator,
          "node '\(nodeName)' uses operator '\(node.opType)' of domain '\(domain)', "
            + "which the model does not import (no opset for the domain)"
        )
      }
      let op = "\(domain):\(node.opType)@\(opset)"
      guard let entry = OperatorRegistry.entry(domain: domain, opType: node.opType),
        entry.opsets.contains(opset)
      else {
        throw OnnxError(
          .unsupportedOperator,
          "unsupported operator '\(node.opType)' (domain '\(domain)', opset \(opset)) in node '\(nodeName)'"
        )
      }
      if !operators.contains(op) { operators.append(op) }
      let label = "node '\(nodeName)' (\(op))"
      steps.append(try compileNode(node, index: index, label: label, opset: opset, entry: entry))
    }
    let outputs = try compileOutputs(graph)
    let plan = ExecutionPlan(
      template: slots,
      inputSlots: inputSlots,
      steps: steps,
      outputSlots: outputs.map { defined[$0.name]!.slot }
    )
    return Output(
      plan: plan,
      inputs: inputs,
      outputs: outputs,
      operators: operators,
      constants: constants
    )
  }

  private mutating func compileInputs(_ graph: Onnx_GraphProto) throws(OnnxError) -> ([TensorInfo], [Int]) {
    var infos: [TensorInfo] = []
    var inputSlots: [Int] = []
    for input in graph.input where constants[input.name] == nil {
      guard !input.name.isEmpty, defined[input.name] == nil else {
        throw OnnxError(.invalidGraph, "graph input '\(input.name)' is unnamed or defined twice")
      }
      guard case .tensorType(let tensorType) = input.type.value else {
        throw OnnxError(.invalidGraph, "graph input '\(input.name)' is not a tensor")
      }
      guard let dataType = ValueType.dataType(onnx: tensorType.elemType) else {
        throw OnnxError(
          .unsupportedOperator,
          "graph input '\(input.name)' has element type \(ValueType.onnxTypeName(tensorType.elemType)), "
            + "which is not supported"
        )
      }
      let shape: [Int?]? =
        tensorType.hasShape
        ? tensorType.shape.dim.map { dim in
          if case .dimValue(let value) = dim.value, value >= 0, value <= Int64(Int32.max) {
            Int(value)
          } else {
            nil
          }
        } : nil
      let slot = allocate()
      defined[input.name] = (slot, ValueType(dataType: dataType, shape: shape))
      infos.append(TensorInfo(name: input.name, dataType: dataType, shape: shape ?? []))
      inputSlots.append(slot)
      inputNames.insert(input.name)
    }
    return (infos, inputSlots)
  }

  private mutating func compileNode(
    _ node: Onnx_NodeProto,
    index nodeIndex: Int,
    label: String,
    opset: Int64,
    entry: OperatorRegistry.Entry
  ) throws(OnnxError) -> any Kernel {
    var inputSlots: [Int?] = []
    var inputTypes: [ValueType?] = []
    var inputConstants: [Tensor?] = []
    for name in node.input {
      if name.isEmpty {
        inputSlots.append(nil)
        inputTypes.append(nil)
        inputConstants.append(nil)
        continue
      }
      guard let value = defined[name] else {
        throw OnnxError(
          .invalidGraph,
          "\(label) uses '\(name)' before any node produces it "
            + "(the nodes are not in topological order, or the value is missing)"
        )
      }
      inputSlots.append(value.slot)
      inputTypes.append(value.type)
      inputConstants.append(constants[name])
    }
    var outputSlots: [Int] = []
    for name in node.output {
      guard name.isEmpty || defined[name] == nil else {
        throw OnnxError(.invalidGraph, "\(label) writes '\(name)', which is already defined")
      }
      outputSlots.append(allocate())
    }
    let context = NodeContext(
      label: label,
      opset: opset,
      attributes: try NodeAttributes(node, describedAs: label),
      inputSlots: inputSlots,
      inputTypes: inputTypes,
      constants: inputConstants,
      outputSlots: outputSlots,
      consumable: node.input.map { name in
        // Constants and graph inputs are never consumed: constants stay in the workspace for the
        // next call, and the caller owns the inputs.
        !name.isEmpty && lastUse[name] == nodeIndex && node.input.filter { $0 == name }.count == 1
          && constants[name] == nil && !inputNames.contains(name)
      }
    )
    let build = try entry.build(context)
    guard build.outputTypes.count >= node.output.count else {
      throw OnnxError(.invalidGraph, "\(label) has \(node.output.count) outputs, the operator has fewer")
    }
    for (index, name) in node.output.enumerated() where !name.isEmpty {
      defined[name] = (outputSlots[index], build.outputTypes[index])
    }
    return build.kernel
  }

  private func compileOutputs(_ graph: Onnx_GraphProto) throws(OnnxError) -> [TensorInfo] {
    var infos: [TensorInfo] = []
    for output in graph.output {
      guard let value = defined[output.name] else {
        throw OnnxError(.invalidGraph, "graph output '\(output.name)' is not produced by any node")
      }
      var shape: [Int?] = value.type.shape ?? []
      if case .tensorType(let declared) = output.type.value {
        if let declaredType = ValueType.dataType(onnx: declared.elemType), declaredType != value.type.dataType
        {
          throw OnnxError(
            .invalidGraph,
            "graph output '\(output.name)' is declared \(declaredType.rawValue) "
              + "but computed as \(value.type.dataType.rawValue)"
          )
        }
        if declared.hasShape {
          shape = declared.shape.dim.map { dim in
            if case .dimValue(let size) = dim.value, size >= 0 { Int(size) } else { nil }
          }
        }
      }
      infos.append(TensorInfo(name: output.name, dataType: value.type.dataType, shape: shape))
    }
    return infos
  }
}
