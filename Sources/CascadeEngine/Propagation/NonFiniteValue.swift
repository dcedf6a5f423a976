import CascadeFormula

/// A value of a run that is not a finite number: the run fails with it rather than storing
/// `null` impacts as a successful result (a formula's result follows the same "a finite value
/// or an error" rule).
///
/// The hot loops check finiteness once per entity (its unclamped sum: a non-finite contribution
/// makes it non-finite) and once per cycle member per round; only when a check fails are the
/// entity's incoming edges scanned here to name the culprit.
struct NonFiniteValue: Sendable, Equatable {
    /// The entity whose impact (or fixed-point iterate) was not finite.
    var entity: Int
    /// The incoming edge whose contribution was not finite, or the largest one when the finite
    /// contributions overflowed in their sum; -1 when the entity has no counted edge.
    var edge: Int
    /// The non-finite value: the edge's contribution when it is the culprit, else the sum.
    var value: Double
    /// Whether `edge`'s own contribution is the non-finite value.
    var isEdgeValue: Bool
    /// The fixed-point round, when the value is a same-level cycle's iterate.
    var round: Int?
}

extension Propagator {
    /// Records the first non-finite value (the run stops at it); `sum` is the entity's value.
    func recordNonFinite(_ i: Int, sum: Double, round: Int?) {
        guard nonFinite == nil else { return }
        let range = incomingStart[i]..<incomingStart[i + 1]
        var culprit = -1
        var largest = -1
        for e in range {
            switch state[e] {
            case .skipped, .blocked, .failed: continue
            default: break
            }
            if !contribution[e].isFinite {
                culprit = e
                break
            }
            if largest < 0 || abs(contribution[e]) > abs(contribution[largest]) { largest = e }
        }
        nonFinite = culprit >= 0
            ? NonFiniteValue(entity: i, edge: culprit, value: contribution[culprit], isEdgeValue: true, round: round)
            : NonFiniteValue(entity: i, edge: largest, value: sum, isEdgeValue: false, round: round)
    }

    /// The run's failure, naming the entity, the edge (relationship and source) and the value.
    func nonFiniteError(_ failure: NonFiniteValue) -> EngineError {
        let i = failure.entity
        let level = levels[i]
        let settings = run.scenario.settings(for: level)
        let value = JSNumber.format(failure.value)
        let what = failure.round.map { "its fixed-point iterate in round \($0) of its same-level cycle" } ?? "its impact"
        var message: String
        if failure.edge >= 0 {
            let e = failure.edge
            let relationship = run.relationshipIDs[Int(edgeRelationship[e])]
            let source = run.ids[Int(edgeSource[e])]
            if failure.isEdgeValue {
                message = "the contribution of relationship `\(relationship)` (from `\(source)`) is \(value), not a finite number, so \(what) is not finite"
            } else {
                message = "\(what) is \(value): its finite contributions overflow in their sum (the largest, from relationship `\(relationship)` from `\(source)`, is \(JSNumber.format(contribution[e])))"
            }
        } else {
            message = "\(what) is \(value), not a finite number"
        }
        message += "; level \(level) has damping \(JSNumber.format(settings.damping)) and clamp [\(JSNumber.format(settings.clamp.lowerBound)), \(JSNumber.format(settings.clamp.upperBound))]"
        return EngineError(problems: [.init(location: "entity \(run.ids[i])", message: message, detail: nil)],
                           kind: .nonFinite)
    }
}
