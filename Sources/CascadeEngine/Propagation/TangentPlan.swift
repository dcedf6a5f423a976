import CascadeFormula

/// An edge program with its tangent registers (`DerivativeFrame`), held by reference so that
/// differentiating an edge copies nothing: an inline formula and its registers, or a registry
/// formula's and each of its parameter bindings'. The registers differentiate only the inputs a
/// sensitivity can flow through — variables and the source's value, delta and impact (and a
/// registry formula's parameters) — not the constants of a run (coefficients, weights, levels,
/// baselines), whose columns would cost every instruction work and be thrown away.
final class TangentPlan {
    struct Registry {
        let formula: CompiledFormula
        let frame: Frame
        let parameters: [(slot: Int, binding: BoundProgram)]
        let bindingTangents: [DerivativeFrame]
    }

    /// The inline program (held by reference: unwrapping it copies one pointer, not the
    /// program's three), or nil for a registry one.
    let inline: InlinePlan?
    let registry: Registry?
    /// The inline formula's tangent registers, or the registry formula's.
    let tangents: DerivativeFrame

    init(_ program: EdgeProgram) {
        switch program.kind {
        case .inline(let bound):
            inline = InlinePlan(bound)
            registry = nil
            tangents = bound.formula.makeDerivativeFrame(for: bound.frame, slots: Self.movingSlots(bound))
        case .registry(let formula, let frame, let parameters):
            inline = nil
            registry = Registry(formula: formula, frame: frame, parameters: parameters, bindingTangents: parameters.map {
                $0.binding.formula.makeDerivativeFrame(for: $0.binding.frame, slots: Self.movingSlots($0.binding))
            })
            tangents = formula.makeDerivativeFrame(for: frame, slots: Set(parameters.map(\.slot)))
        }
    }

    /// The slots `SensitivityPropagation.chain` reads a derivative of: the variables, and the
    /// source's value, delta and impact.
    static func movingSlots(_ bound: BoundProgram) -> Set<Int> {
        Set(bound.slots.indices.filter { slot in
            switch bound.slots[slot] {
            case .variable, .sourceValue, .sourceDelta, .sourceImpact: true
            default: false
            }
        })
    }
}
