/// The tangent registers of one differentiated evaluation (see `CompiledFormula.differentiate`):
/// one direction per numeric input slot (or per chosen one). Make one per thread with
/// `CompiledFormula.makeDerivativeFrame()`, beside the `Frame` it differentiates; after each
/// evaluation it holds ∂result/∂input and whether that derivative exists, per input slot.
package final class DerivativeFrame {
    /// Directions: the numeric (`number`) input slots that are differentiated, in slot order.
    let width: Int
    /// registerCount × width tangents, row by row.
    let tangents: UnsafeMutablePointer<Double>
    let registerCount: Int
    /// valueCount × width tangents of the value registers: a boxed number's tangent (0 for a
    /// value of another type, and for the inputs held there: only `number` inputs are directions).
    let valueTangents: UnsafeMutablePointer<Double>
    let valueCount: Int
    /// Per input slot: its direction, or -1 for a slot of another type.
    let slotDirection: [Int]
    /// Per direction: the input's register.
    let directionRegister: [Int]
    /// Per direction, after an evaluation: ∂result/∂input, and whether it does not exist there.
    let derivatives: UnsafeMutablePointer<Double>
    let undefined: UnsafeMutablePointer<Bool>
    let scratch: UnsafeMutablePointer<Double>
    /// The register the fused `…Return` instructions leave their result in (the frame's absorbing one).
    let resultRegister: Int

    /// Differentiates the numeric input slots for which `isDirection` holds (every one by default).
    init(frame: Frame, isDirection: (Int) -> Bool = { _ in true }) {
        registerCount = frame.registerCount
        var slotDirection: [Int] = []
        var directionRegister: [Int] = []
        for (slot, place) in frame.storage.enumerated() {
            if case .number(let k) = place, isDirection(slot) {
                slotDirection.append(directionRegister.count)
                directionRegister.append(k)
            } else {
                slotDirection.append(-1)
            }
        }
        self.slotDirection = slotDirection
        self.directionRegister = directionRegister
        width = directionRegister.count
        tangents = .allocate(capacity: max(registerCount * width, 1))
        tangents.initialize(repeating: 0, count: max(registerCount * width, 1))
        valueCount = frame.valueCount
        valueTangents = .allocate(capacity: max(valueCount * width, 1))
        valueTangents.initialize(repeating: 0, count: max(valueCount * width, 1))
        derivatives = .allocate(capacity: max(width, 1))
        derivatives.initialize(repeating: 0, count: max(width, 1))
        undefined = .allocate(capacity: max(width, 1))
        undefined.initialize(repeating: false, count: max(width, 1))
        scratch = .allocate(capacity: max(width, 1))
        scratch.initialize(repeating: 0, count: max(width, 1))
        resultRegister = registerCount - 1
    }

    deinit {
        tangents.deallocate()
        valueTangents.deallocate()
        derivatives.deallocate()
        undefined.deallocate()
        scratch.deallocate()
    }

    /// Zero tangents, the unit vector on each input's register, no flags.
    func reset() {
        tangents.update(repeating: 0, count: registerCount * width)
        valueTangents.update(repeating: 0, count: valueCount * width)
        for (j, r) in directionRegister.enumerated() { tangents[r * width + j] = 1 }
        for j in 0..<width { undefined[j] = false }
    }

    /// ∂result/∂(input slot) after the last evaluation: 0 for a slot that is not a number, and for
    /// a result that is not a number.
    @inlinable
    package func derivative(atSlot slot: Int) -> Double {
        let j = direction(slot)
        return j < 0 ? 0 : derivativeInDirection(j)
    }

    /// Whether the derivative with respect to the input slot does not exist at the last
    /// evaluation's inputs (a threshold, a kink or a jump sits exactly there; see `Program+Tangent`).
    @inlinable
    package func isUndefined(atSlot slot: Int) -> Bool {
        let j = direction(slot)
        return j < 0 ? false : undefinedInDirection(j)
    }

    @usableFromInline func direction(_ slot: Int) -> Int { slotDirection[slot] }
    @usableFromInline func derivativeInDirection(_ j: Int) -> Double { derivatives[j] }
    @usableFromInline func undefinedInDirection(_ j: Int) -> Bool { undefined[j] }
}

/// A formula's value and its derivatives at a set of bindings (the convenient form, for tests
/// and tools; the engine uses frames).
package struct Derivatives: Sendable {
    package var value: Value
    /// ∂value/∂input per numeric input path (`x`, `source.impact`).
    package var partials: [String: Double]
    /// The numeric inputs in which the derivative does not exist at these bindings.
    package var undefined: Set<String>
}

extension CompiledFormula {
    /// Tangent registers for frames of this formula: a direction per numeric input slot, or
    /// only per slot of `slots` — the others are constants to the caller, so the tangent pass does
    /// no work for them (each instruction's cost is proportional to the directions) and their
    /// derivative reads 0. The chosen slots' derivatives and flags are the same either way (each
    /// direction's tangents are computed independently of the others').
    package func makeDerivativeFrame(for frame: Frame, slots: Set<Int>? = nil) -> DerivativeFrame {
        guard let slots else { return DerivativeFrame(frame: frame) }
        return DerivativeFrame(frame: frame, isDirection: slots.contains)
    }

    /// Evaluates with the inputs already set in `frame`, exactly as `evaluate(_:)` does (the same
    /// value or the same error), and leaves in `derivatives` ∂result/∂input per numeric input
    /// slot, with the slots where it does not exist flagged. The tangent pass runs the same
    /// instructions; `evaluate` does not pay for it.
    package func differentiate(_ frame: Frame, into derivatives: DerivativeFrame) throws(FormulaError) -> Value {
        derivatives.reset()
        do throws(TangentFailure) {
            let kind = try program.runTangent(frame, derivatives)
            return CompiledFormula.value(of: kind, in: frame)
        } catch {
            // Where the tangent pass stops, the plain run throws: run it for its exact error.
            let value = try evaluate(frame)
            throw FormulaError(Diagnostic(.runtime, "internal",
                                          "the derivative pass failed where the evaluation gave \(value)", at: SourceRange(0, 0)))
        }
    }

    /// Binds inputs by name and differentiates: the value, ∂value/∂input per numeric input path,
    /// and the inputs where the derivative does not exist. Convenient, not the fast path.
    package func derivatives(_ bindings: [String: Value]) throws(FormulaError) -> Derivatives {
        let frame = makeFrame()
        try bind(bindings, into: frame)
        let tangents = makeDerivativeFrame(for: frame)
        let value = try differentiate(frame, into: tangents)
        var partials: [String: Double] = [:]
        var undefined: Set<String> = []
        for input in inputs where tangents.direction(input.index) >= 0 {
            partials[input.path] = tangents.derivative(atSlot: input.index)
            if tangents.isUndefined(atSlot: input.index) { undefined.insert(input.path) }
        }
        return Derivatives(value: value, partials: partials, undefined: undefined)
    }
}
