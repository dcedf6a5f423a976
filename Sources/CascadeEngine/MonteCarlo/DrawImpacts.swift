/// The impacts of a range of Monte Carlo draws for every computed entity (not MACRO, with a
/// level), entity by entity: `impacts[position * draws.count + (d − draws.lowerBound)]`.
/// Chunks of draws computed apart are joined with `appending`, which gives exactly the impacts
/// of one run over the joined range.
package struct DrawImpacts: Sendable, Equatable {
    /// The run's entity index of each position.
    package var entities: [Int32]
    package var draws: Range<Int>
    package var impacts: [Double]

    /// The impacts of `entities[position]`, draw by draw.
    package func impacts(at position: Int) -> ArraySlice<Double> {
        let n = draws.count
        return impacts[position * n ..< (position + 1) * n]
    }

    /// These draws followed by `next`'s (which must start where these end, for the same entities).
    package func appending(_ next: DrawImpacts) -> DrawImpacts {
        precondition(next.entities == entities && next.draws.lowerBound == draws.upperBound, "chunks must be adjacent, of one run")
        var joined: [Double] = []
        joined.reserveCapacity(impacts.count + next.impacts.count)
        for position in entities.indices {
            joined.append(contentsOf: impacts(at: position))
            joined.append(contentsOf: next.impacts(at: position))
        }
        return DrawImpacts(entities: entities, draws: draws.lowerBound..<next.draws.upperBound, impacts: joined)
    }
}
