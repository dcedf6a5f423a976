import CascadeJSON

/// The entities a page of a large result shows: per level, the largest by |impact| (ties by id
/// in UTF-8 byte order). One ranking for the report file and the workbench's report document.
///
/// It reads a run's columns (`EntityResults`) when the outcome has them, so picking the largest
/// movers of a million-entity result builds no entity document: only the chosen ones are
/// serialised afterwards (`Outcome.entityText(at:)`). Parsing every entity's JSON to rank them
/// took 25.7 s and 666 MB at 100 k entities (issue 15's note).
package struct LargestMovers {
    /// How many entities there are.
    package let count: Int
    /// Each one's level, impact and id by position.
    let level: (Int) -> Int
    let impact: (Int) -> Double
    let id: (Int) -> String

    /// The id of the entity at `position`.
    package func id(at position: Int) -> String { id(position) }

    /// Positions (ascending, in result order) of the `perLevel` largest movers of each level
    /// among `candidates` (every position when nil); with `movedOnly`, entities whose impact is
    /// zero are left out.
    /// - Complexity: O(n · perLevel) in the candidates, O(n) when few displace the kept ones.
    package func positions(perLevel: Int, movedOnly: Bool = false, among candidates: [Int]? = nil) -> [Int] {
        var byLevel: [Int: [(magnitude: Double, position: Int)]] = [:]
        for k in candidates ?? Array(0..<count) {
            let x = impact(k)
            if movedOnly && x == 0 { continue }
            byLevel[level(k), default: []].append((abs(x), k))
        }
        var kept: [Int] = []
        for (_, members) in byLevel {
            kept += firstRanked(perLevel, of: members) {
                $0.magnitude != $1.magnitude ? $0.magnitude > $1.magnitude : id($0.position).utf8.lexicographicallyPrecedes(id($1.position).utf8)
            }.map(\.position)
        }
        return kept.sorted()
    }
}

extension LargestMovers {
    /// Ranks entity documents (JSON texts with `id`, `level` and `impact`), parsing each once.
    package init(texts: [String]) throws {
        let parsed = try texts.map { try JSONValue.parse($0) }
        let levels = parsed.map { Int($0["level"]?.numberValue ?? -1) }
        let impacts = parsed.map { $0["impact"]?.numberValue ?? 0 }
        let ids = parsed.map { $0["id"]?.stringValue ?? "" }
        self.init(count: texts.count, level: { levels[$0] }, impact: { impacts[$0] }, id: { ids[$0] })
    }

    /// Ranks a run's entities from its columns (no entity document is built).
    init(_ entities: EntityResults) {
        self.init(count: entities.count, level: entities.level(at:), impact: entities.impact(at:), id: entities.id(at:))
    }
}

extension ScenarioService.Outcome {
    /// The outcome's entities ready to rank: from the columns of a result held as columns,
    /// otherwise (a small result, or one stored as rows by an older version) by parsing each
    /// entity's text once. Nil when the entities were not loaded.
    package func largestMovers() throws -> LargestMovers? {
        switch texts {
        case .result(let entities): LargestMovers(entities)
        case .stored(let texts): try texts.map(LargestMovers.init(texts:))
        }
    }

    /// The entity at `position` as JSON text with sorted keys (one of `entityTexts`, built alone).
    package func entityText(at position: Int) -> String {
        switch texts {
        case .result(let entities): return entities.jsonText(at: position)
        case .stored(let texts):
            guard let texts else { preconditionFailure("entityText(at:) of an outcome whose entities were not loaded") }
            return texts[position]
        }
    }
}

/// The first `k` of `candidates` in `precedes` order: `candidates.sorted(by: precedes).prefix(k)`
/// for a strict total order, without sorting them all. Picking a level's ten largest movers out of
/// 930 000 sorted them all (0.16 s of a warm 1 M run); here each candidate is compared with the
/// last one kept, and only one that precedes it is inserted.
/// - Complexity: O(n · k) at worst, O(n) when few candidates displace the kept ones.
func firstRanked<S: Sequence>(_ k: Int, of candidates: S, by precedes: (S.Element, S.Element) -> Bool) -> [S.Element] {
    var kept: [S.Element] = []
    guard k > 0 else { return kept }
    kept.reserveCapacity(k)
    for candidate in candidates {
        if kept.count == k {
            guard precedes(candidate, kept[k - 1]) else { continue }
            kept.removeLast()
        }
        var slot = kept.count
        while slot > 0 && precedes(candidate, kept[slot - 1]) { slot -= 1 }
        kept.insert(candidate, at: slot)
    }
    return kept
}
