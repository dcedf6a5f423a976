/// "Did you mean …?": the closest of some names to a misspelt one.
package enum Suggestion {
    /// The candidate nearest to `name` by edit distance (case-insensitive; a match ignoring case
    /// wins), if it is near enough to be a likely typo. Ties go to the candidate first in UTF-8
    /// byte order, so the answer does not depend on the order the candidates come in (a
    /// dictionary's keys, a database's rows).
    package static func closest(to name: String, among candidates: some Sequence<String>) -> String? {
        var best: (candidate: String, distance: Int)?
        let lower = name.lowercased()
        let allowed = name.count == 1 ? 0 : name.count <= 3 ? 1 : max(2, name.count / 3)
        for candidate in candidates {
            let distance = candidate.lowercased() == lower ? -1 : Suggestion.editDistance(lower, candidate.lowercased())
            guard distance <= allowed else { continue }
            if let best, distance > best.distance || (distance == best.distance && !candidate.utf8.lexicographicallyPrecedes(best.candidate.utf8)) {
                continue
            }
            best = (candidate, distance)
        }
        return best?.candidate
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions (`valeu` → `value`) each cost 1.
    package static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8.prefix(64)), b = Array(b.utf8.prefix(64))
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
