/// One level's components grouped so that the components of a wave read nothing another
/// component of the same wave writes: what lets a wave be split across threads.
///
/// Within a pass a component reads the final impacts of earlier levels (`down` edges), the
/// previous pass (`feedback` edges, from `previousPass`), entities without a level (never
/// written) and, through `sameLevel` edges, other components of its own level, which come
/// before it in `run.components[level]` (topological order). Its wave is 0 when it reads no other
/// component of its level, else one past the latest wave of those it reads; so every component
/// a wave reads is in an earlier wave and final when the wave starts. Within a wave the
/// components keep their topological order.
struct LevelWaves {
    /// Per wave, its components (indices into `run.components[level]`), in topological order.
    let waves: [[Int]]
    /// Per wave, per component, its incoming edges plus one (the work it is split by).
    let weights: [[Int]]
    /// Per wave, the sum of its weights.
    let totals: [Int]

    /// - Complexity: O(V_level + E_level), with `componentOf` all -1 on entry and on exit.
    init(_ run: PreparedRun, level: Int, componentOf: inout [Int32]) {
        let components = run.components[level]
        for (c, members) in components.enumerated() { for i in members { componentOf[i] = Int32(c) } }
        var wave = [Int](repeating: 0, count: components.count)
        var waves: [[Int]] = []
        var weights: [[Int]] = []
        for (c, members) in components.enumerated() {
            var w = 0
            var edges = 0
            for i in members {
                let range = run.incomingStart[i]..<run.incomingStart[i + 1]
                edges += range.count
                for e in range where run.edgeClass[e] == .sameLevel {
                    let source = Int(componentOf[Int(run.edgeSource[e])])
                    if source >= 0 && source != c { w = max(w, wave[source] + 1) }
                }
            }
            wave[c] = w
            if w == waves.count {
                waves.append([])
                weights.append([])
            }
            waves[w].append(c)
            weights[w].append(edges + 1)
        }
        for members in components { for i in members { componentOf[i] = -1 } }
        self.waves = waves
        self.weights = weights
        totals = weights.map { $0.reduce(0, +) }
    }

    /// Cuts wave `w` into at most `parts` contiguous ranges (of positions in `waves[w]`) of
    /// about equal weight; empty ranges are dropped.
    func ranges(ofWave w: Int, parts: Int) -> [Range<Int>] {
        let weights = self.weights[w]
        var ranges: [Range<Int>] = []
        var start = 0
        var sum = 0
        var part = 1
        for (position, weight) in weights.enumerated() {
            sum += weight
            // Close the range once it reaches its share of the total.
            if part < parts && sum * parts >= totals[w] * part {
                ranges.append(start..<position + 1)
                start = position + 1
                part += 1
            }
        }
        if start < weights.count { ranges.append(start..<weights.count) }
        return ranges
    }
}
