import CascadeFormula

/// An edge program with its tangent registers (`DerivativeFrame`), held by reference so that
/// differentiating an edge copies nothing: an inline formula and its registers, or a registry
/// formula's and each of its parameter bindings'.
final class TangentPlan {
    struct Registry {
        let formula: CompiledFormula
        let frame: Frame
        let parameters: [(slot: Int, binding: BoundProgram)]
        let bindingTangents: [DerivativeFrame]
    }

    /// The inline program, or nil for a registry one.
    let inline: BoundProgram?
    let registry: Registry?
    /// The inline formula's tangent registers, or the registry formula's.
    let tangents: DerivativeFrame

    init(_ program: EdgeProgram) {
        switch program.kind {
        case .inline(let bound):
            inline = bound
            registry = nil
            tangents = bound.formula.makeDerivativeFrame(for: bound.frame)
        case .registry(let formula, let frame, let parameters):
            inline = nil
            registry = Registry(formula: formula, frame: frame, parameters: parameters,
                                bindingTangents: parameters.map { $0.binding.formula.makeDerivativeFrame(for: $0.binding.frame) })
            tangents = formula.makeDerivativeFrame(for: frame)
        }
    }
}
