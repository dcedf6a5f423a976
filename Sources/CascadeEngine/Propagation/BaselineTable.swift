import CascadeFormula

/// An edge's baseline value `f(baseline)`, shared by every edge whose baseline inputs are equal.
///
/// In the baseline context a formula's inputs are the variables' baselines (the same for every
/// edge), `source.impact` (0 for a source that is not a MACRO entity) and the target sector's
/// coefficients; a program that reads nothing else has one baseline value per target sector, not
/// one per edge. At 1 M / 5 M (the shared graph: 20 formulas of `source.impact` and `coeff.*`)
/// that is ~20 × sectors evaluations instead of 5 M — half of the propagate phase's formula
/// evaluations. The value is the one each edge would compute (the same program on the same
/// inputs; formulas are pure), and a failure is kept and given to every edge that shares it.
/// Any other program (it reads a weight, a name, a level, a metadata value, the source's value…)
/// and any edge from a MACRO source keeps its baseline per edge (`Propagator.evaluateFormula`).
final class BaselineTable {
    /// Per program: whether its baseline is shared by the edges into targets of one sector.
    let isShared: [Bool]
    let sectorCount: Int
    /// Per (program, sector): 0 not yet computed, 1 `values` holds it (NaN: no value), 2 it failed.
    let states: Buffer<UInt8>
    let values: Buffer<Double>
    /// The failure of a (program, sector) whose state is 2.
    var errors: [Int: FormulaError] = [:]
    /// The keys this table computed itself, in order (not those copied by `adopt`): what a
    /// thread's table hands to the run's after a wave (`Propagator+Threads.swift`).
    var computed: [Int] = []

    /// - Complexity: O(programs · (slots + sectors)).
    init(programs: [EdgeProgram], sectorCount: Int, edgeCount: Int) {
        // A table never larger than the per-edge arrays it saves work for.
        let fits = programs.count * max(sectorCount, 1) <= max(edgeCount, 1)
        isShared = programs.map { program in
            fits && program.bindings.allSatisfy { bound in bound.slots.allSatisfy(Self.isSectorWide) }
        }
        self.sectorCount = max(sectorCount, 1)
        let count = isShared.contains(true) ? programs.count * self.sectorCount : 0
        states = .zeroed(count: count)
        values = .zeroed(count: count)
    }

    deinit {
        states.freeZeroed()
        values.freeZeroed()
    }

    /// Whether a slot's baseline value is the same for every edge into targets of one sector
    /// (for a source that is not a MACRO entity; see `Propagator.setInputs`).
    static func isSectorWide(_ source: SlotSource) -> Bool {
        switch source {
        case .variable, .sourceImpact, .coefficient: true
        default: false
        }
    }

    /// The table position of a program's baseline for targets of `sector`, or -1 when the
    /// program's baseline is computed per edge.
    @inline(__always)
    func key(program: Int, sector: Int) -> Int {
        isShared[program] ? program * sectorCount + sector : -1
    }

    /// Forgets every value (the variables' baselines changed: a Monte Carlo draw with baselines).
    func reset() {
        states.update(repeating: 0)
        errors.removeAll()
        computed.removeAll()
    }

    /// Takes the entry at `key` from `other` (computed there; state 1 or 2).
    @inline(__always)
    func adopt(_ key: Int, from other: BaselineTable) {
        states[key] = other.states[key]
        values[key] = other.values[key]
        errors[key] = other.errors[key]
    }
}
