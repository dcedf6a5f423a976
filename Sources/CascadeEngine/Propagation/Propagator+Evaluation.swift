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
            if let x = number(source, edge: e, source: s, target: t, mode: mode, sourceImpact: sourceImpact) {
                frame.setNumber(x, at: slot)
                continue
            }
            switch source {
            case .sourceName: try frame.setValue(.string(run.names[s]), at: slot)
            case .targetName: try frame.setValue(.string(run.names[t]), at: slot)
            case .sourceType: try frame.setValue(.string(run.types[s]), at: slot)
            case .targetType: try frame.setValue(.string(run.types[t]), at: slot)
            case .sourceCategory: try frame.setValue(.string(run.categories[s]), at: slot)
            case .targetCategory: try frame.setValue(.string(run.categories[t]), at: slot)
            case .sourceMetadata: try frame.setValue(run.metadataValue(s), at: slot)
            case .targetMetadata: try frame.setValue(run.metadataValue(t), at: slot)
            case .edgeType: try frame.setValue(.string(run.relationshipTypeNames[Int(run.relationshipTypes[Int(run.edgeRelationship[e])])]), at: slot)
            default: preconditionFailure("slot \(source) binds a number")
            }
        }
    }

    /// The number slot `source` binds for edge `e` (from `s` to `t`) in `mode`, or nil for a
    /// slot that binds a string or a metadata value: the one definition of an edge's numeric
    /// inputs, for `setInputs` and the batched kernel's columns (`Propagator+Kernel.swift`).
    @inline(__always)
    func number(_ source: SlotSource, edge e: Int, source s: Int, target t: Int, mode: ContextMode, sourceImpact: Double) -> Double? {
        switch source {
        case .variable(let k):
            return mode.variableIsShocked(k) ? variableValues[k] : variableBaselines[k]
        case .sourceImpact where !isMacro[s]:
            // The common input: no level value to read (one cache miss per edge at 1 M).
            return mode.shocksSource ? sourceImpact : 0
        case .sourceValue, .sourceBaseline, .sourceDelta, .sourceImpact:
            let (value, baseline) = sourceLevels(s, mode: mode, impact: sourceImpact)
            switch source {
            case .sourceValue: return value
            case .sourceBaseline: return baseline
            case .sourceDelta: return value - baseline
            default: return isMacro[s] ? value - baseline : (mode.shocksSource ? sourceImpact : 0)
            }
        case .sourceLevel: return Double(levels[s])
        case .targetLevel: return Double(levels[t])
        case .targetBaseline: return levelValues[t]
        case .weight:
            let r = Int(edgeRelationship[e])
            return relationshipHasWeight[r] ? relationshipWeights[r] : 1
        case .coefficient(let k): return coefficientValues[sectorIndex[t] * coefficientTypeCount + k]
        case .sourceName, .targetName, .sourceType, .targetType, .sourceCategory, .targetCategory,
             .sourceMetadata, .targetMetadata, .edgeType:
            return nil
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
