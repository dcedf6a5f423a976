import CascadeFormula

/// An inline program held by reference, so the hot loop passes one pointer around.
final class InlinePlan {
    let bound: BoundProgram
    init(_ bound: BoundProgram) { self.bound = bound }
}

extension Propagator {
    /// Evaluates an inline program (as `evaluate(_:edge:mode:sourceImpact:)` does for `.inline`).
    @inline(__always)
    func evaluate(_ plan: InlinePlan, edge e: Int, mode: ContextMode, sourceImpact: Double) throws(FormulaError) -> Double? {
        try Self.impact(try evaluate(plan.bound, edge: e, mode: mode, sourceImpact: sourceImpact))
    }

    /// Evaluates an edge's program in a context; nil when the formula returns no value.
    func evaluate(_ program: EdgeProgram, edge e: Int, mode: ContextMode, sourceImpact: Double) throws(FormulaError) -> Double? {
        let result: Value
        switch program.kind {
        case .inline(let bound):
            result = try evaluate(bound, edge: e, mode: mode, sourceImpact: sourceImpact)
        case .registry(let formula, let frame, let parameters):
            for (slot, binding) in parameters {
                let value = try evaluate(binding, edge: e, mode: mode, sourceImpact: sourceImpact)
                if case .undefined = value {
                    throw FormulaError(Diagnostic(.runtime, "unbound-parameter", "a parameter binding returned no value",
                                                  at: SourceRange(0, 0)))
                }
                try frame.setValue(value, at: slot)
            }
            result = try formula.evaluate(frame)
        }
        return try Self.impact(result)
    }

    /// A formula's result as an impact: a number, or nil for no value; anything else is an error.
    @inline(__always)
    static func impact(_ result: Value) throws(FormulaError) -> Double? {
        switch result {
        case .number(let x): return x
        case .undefined: return nil
        default:
            throw FormulaError(Diagnostic(.type, "impact-type", "the formula returned \(result.typeName) \(result), not a number",
                                          at: SourceRange(0, 0)))
        }
    }

    /// Sets a bound program's inputs from the edge and the mode, and evaluates it.
    @inline(__always)
    func evaluate(_ bound: BoundProgram, edge e: Int, mode: ContextMode, sourceImpact: Double) throws(FormulaError) -> Value {
        try setInputs(bound, edge: e, mode: mode, sourceImpact: sourceImpact)
        return try bound.formula.evaluate(bound.frame)
    }

    /// Sets a bound program's inputs from the edge and the mode (see docs/propagation.md).
    func setInputs(_ bound: BoundProgram, edge e: Int, mode: ContextMode, sourceImpact: Double) throws(FormulaError) {
        let frame = bound.frame
        let s = Int(edgeSource[e]), t = Int(edgeTarget[e])
        for (slot, source) in bound.slots.enumerated() {
            switch source {
            case .variable(let k):
                frame.setNumber(mode.variableIsShocked(k) ? variableValues[k] : variableBaselines[k], at: slot)
            case .sourceImpact where !isMacro[s]:
                // The common input: no level value to read (one cache miss per edge at 1 M).
                frame.setNumber(mode.shocksSource ? sourceImpact : 0, at: slot)
            case .sourceValue, .sourceBaseline, .sourceDelta, .sourceImpact:
                let (value, baseline) = sourceLevels(s, mode: mode, impact: sourceImpact)
                let x: Double
                switch source {
                case .sourceValue: x = value
                case .sourceBaseline: x = baseline
                case .sourceDelta: x = value - baseline
                default: x = isMacro[s] ? value - baseline : (mode.shocksSource ? sourceImpact : 0)
                }
                frame.setNumber(x, at: slot)
            case .sourceLevel: frame.setNumber(Double(levels[s]), at: slot)
            case .targetLevel: frame.setNumber(Double(levels[t]), at: slot)
            case .targetBaseline: frame.setNumber(levelValues[t], at: slot)
            case .sourceName: try frame.setValue(.string(run.names[s]), at: slot)
            case .targetName: try frame.setValue(.string(run.names[t]), at: slot)
            case .sourceType: try frame.setValue(.string(run.types[s]), at: slot)
            case .targetType: try frame.setValue(.string(run.types[t]), at: slot)
            case .sourceCategory: try frame.setValue(.string(run.categories[s]), at: slot)
            case .targetCategory: try frame.setValue(.string(run.categories[t]), at: slot)
            case .sourceMetadata: try frame.setValue(run.metadataValue(s), at: slot)
            case .targetMetadata: try frame.setValue(run.metadataValue(t), at: slot)
            case .weight:
                let r = Int(edgeRelationship[e])
                frame.setNumber(relationshipHasWeight[r] ? relationshipWeights[r] : 1, at: slot)
            case .coefficient(let k): frame.setNumber(coefficientValues[sectorIndex[t] * coefficientTypeCount + k], at: slot)
            case .edgeType: try frame.setValue(.string(run.relationshipTypeNames[Int(run.relationshipTypes[Int(run.edgeRelationship[e])])]), at: slot)
            }
        }
    }

    /// The source's (value, baseline) in a mode: a macro's variable, else its level value scaled by 1 + δ.
    func sourceLevels(_ s: Int, mode: ContextMode, impact: Double) -> (Double, Double) {
        if isMacro[s] {
            let k = macroVariable[s]
            let baseline = variableBaselines[k]
            return (mode.shocksSource || mode.variableIsShocked(k) && mode.shockedVariable >= 0 ? variableValues[k] : baseline, baseline)
        }
        let baseline = levelValues[s]
        return (mode.shocksSource ? baseline * (1 + impact) : baseline, baseline)
    }
}
