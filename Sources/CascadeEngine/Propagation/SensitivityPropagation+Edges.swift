import CascadeFormula

/// Edges: which can add anything to their targets' tangents, and their differentiation at the
/// values the propagation evaluated them with.
extension SensitivityPropagation {
    /// The edge's row of direct derivatives (it reads a direction itself), or -1.
    @inline(__always)
    func directRow(of e: Int) -> Int {
        directRow.isEmpty ? -1 : Int(directRow[e])
    }

    /// The edge's row of baseline derivatives (it reads a variable whose baseline follows its
    /// value), or -1.
    @inline(__always)
    func baselineRow(of e: Int) -> Int {
        baselineRow.isEmpty ? -1 : Int(baselineRow[e])
    }

    /// Whether an edge's contribution counted (possibly as 0 on one side).
    @inline(__always)
    func counts(_ e: Int) -> Bool {
        switch p.state[e] {
        case .counted, .noValue: true
        default: false
        }
    }

    /// Whether the row an edge reads of its source can be non-zero or undefined: the previous
    /// pass's for a feedback edge; always for a member of the cycle being finished. (Asked only
    /// of a counted edge: a feedback edge counts only in a run with feedback, which keeps the
    /// previous rows.)
    @inline(__always)
    func sourceIsLive(_ e: Int) -> Bool {
        let s = Int(edgeSource[e])
        if edgeClass[e] == .feedback { return previousIsLive[s] }
        return memberPosition[s] >= 0 || isLive[s]
    }

    /// Whether an edge can add anything to its target's tangent: its source's row is live, or
    /// it reads a direction itself.
    @inline(__always)
    func isActive(_ e: Int) -> Bool {
        directRow(of: e) >= 0 || sourceIsLive(e)
    }

    /// Differentiates each counted, active formula edge into entity i, at the source impact its
    /// propagator evaluated it with (as `Propagator.accumulate` reads it).
    func differentiateEdges(into i: Int) {
        for e in incomingStart[i]..<incomingStart[i + 1] where edgeProgram[e] >= 0 && counts(e) && isActive(e) {
            let s = Int(edgeSource[e])
            let sourceImpact = edgeClass[e] == .feedback ? p.previousPass[s] : (memberPosition[s] >= 0 ? p.iterate[s] : p.impact[s])
            do {
                let program = Int(edgeProgram[e])
                try scenarioValue(e, program: program, sourceImpact: sourceImpact)
                let row = baselineRow(of: e)
                if row >= 0 && !hasBaselineDirect[row] {
                    try baselineValue(e, program: program)
                    hasBaselineDirect[row] = true
                }
            } catch {
                if failure == nil { failure = (e, error) }
            }
        }
    }

    /// The edge's scenario value, differentiated: records its slope and direct derivatives.
    func scenarioValue(_ e: Int, program: Int, sourceImpact: Double) throws(FormulaError) {
        edgesDifferentiated += 1
        var slope = 0.0, kink = false
        let row = directRow(of: e)
        if row >= 0 {
            for j in 0..<k {
                direct[row * k + j] = 0
                directUndefined[row * k + j] = false
            }
        }
        let value = try differentiated(e, plans[program], mode: .scenario, sourceImpact: sourceImpact, row: row,
                                       baseline: false, slope: &slope, kink: &kink)
        if value == nil {
            // No value counts as 0: flat, unless a bump gives a value (the flags say so).
            slope = 0
            if row >= 0 { for j in 0..<k { direct[row * k + j] = 0 } }
        }
        sourceSlope[e] = slope
        sourceKink[e] = kink
    }

    /// The edge's value in one context, differentiated: an inline formula directly, a registry
    /// formula through its parameter bindings (chain rule); the slope in the source's impact and
    /// the direct derivatives of row `row` (scenario or baseline table) accumulate through `chain`.
    func differentiated(_ e: Int, _ plan: TangentPlan, mode: ContextMode, sourceImpact: Double, row: Int, baseline: Bool,
                        slope: inout Double, kink: inout Bool) throws(FormulaError) -> Double? {
        if let inline = plan.inline {
            try p.setInputs(inline.bound, edge: e, mode: mode, sourceImpact: sourceImpact)
            let value = try Propagator.impact(try inline.bound.formula.differentiate(inline.bound.frame, into: plan.tangents))
            chain(inline.bound, plan.tangents, outer: 1, outerKink: false, edge: e, slope: &slope, kink: &kink, row: row, baseline: baseline)
            return value
        }
        let registry = plan.registry!
        for (m, (slot, binding)) in registry.parameters.enumerated() {
            try p.setInputs(binding, edge: e, mode: mode, sourceImpact: sourceImpact)
            let bound = try binding.formula.differentiate(binding.frame, into: registry.bindingTangents[m])
            if case .undefined = bound {
                throw FormulaError(Diagnostic(.runtime, "unbound-parameter", "a parameter binding returned no value",
                                              at: SourceRange(0, 0)))
            }
            try registry.frame.setValue(bound, at: slot)
        }
        let value = try Propagator.impact(try registry.formula.differentiate(registry.frame, into: plan.tangents))
        for (m, (slot, binding)) in registry.parameters.enumerated() {
            chain(binding, registry.bindingTangents[m], outer: plan.tangents.derivative(atSlot: slot),
                  outerKink: plan.tangents.isUndefined(atSlot: slot), edge: e, slope: &slope, kink: &kink, row: row,
                  baseline: baseline)
        }
        return value
    }

    /// The edge's baseline value, differentiated in the variables whose baseline follows their
    /// value (only edges with a `baselineRow` come here).
    func baselineValue(_ e: Int, program: Int) throws(FormulaError) {
        let row = baselineRow(of: e)
        for j in 0..<k {
            baselineDirect[row * k + j] = 0
            baselineUndefined[row * k + j] = false
        }
        var slope = 0.0, kink = false
        let value = try differentiated(e, plans[program], mode: .baseline, sourceImpact: 0, row: row,
                                       baseline: true, slope: &slope, kink: &kink)
        if value == nil { for j in 0..<k { baselineDirect[row * k + j] = 0 } }
    }

    /// Adds `outer · ∂(bound)/∂(slot)` for each of a bound program's slots to the edge's slope
    /// (source impact) or direct row (a direction). A kink of the inner program counts where the
    /// outer derivative is not 0; a kink of the outer one where the inner derivative is not 0.
    func chain(_ bound: BoundProgram, _ frame: DerivativeFrame, outer: Double, outerKink: Bool, edge e: Int,
               slope: inout Double, kink: inout Bool, row: Int, baseline: Bool) {
        let s = Int(edgeSource[e])
        for (slot, source) in bound.slots.enumerated() {
            let inner = frame.derivative(atSlot: slot)
            let isKink = (outer != 0 && frame.isUndefined(atSlot: slot)) || (outerKink && inner != 0)
            let d = outer * inner
            var j = -1
            switch source {
            case .variable(let v):
                if !baseline || variableFollowsValue[v] { j = variableDirection[v] }
            case .sourceValue, .sourceDelta, .sourceImpact:
                if baseline { continue }
                if isMacro[s] {
                    j = macroVariable[s] >= 0 ? variableDirection[macroVariable[s]] : -1
                } else {
                    slope += source == .sourceImpact ? d : d * levelValues[s]
                    if isKink { kink = true }
                    continue
                }
            default:
                continue
            }
            guard j >= 0, row >= 0 else { continue }
            if baseline {
                baselineDirect[row * k + j] += d
                if isKink { baselineUndefined[row * k + j] = true }
            } else {
                direct[row * k + j] += d
                if isKink { directUndefined[row * k + j] = true }
            }
        }
    }
}
