@testable import CascadeEngine
import Testing

/// `firstRanked` picks what a full sort's prefix would, for every k, whatever order the
/// candidates come in (the summary's top movers, the report's largest movers, the largest
/// sensitivities and widest bands rely on it).
struct FirstRankedTests {
    /// Magnitude descending, then id ascending: the movers' order.
    static func precedes(_ a: (magnitude: Double, id: Int), _ b: (magnitude: Double, id: Int)) -> Bool {
        a.magnitude != b.magnitude ? a.magnitude > b.magnitude : a.id < b.id
    }

    @Test(arguments: ["random", "ascending", "descending", "ties", "empty", "one"])
    func itIsTheSortedPrefix(shape: String) {
        var generator = SplitMix64(state: UInt64(shape.utf8.count) &* 7919)
        let n = ["empty": 0, "one": 1][shape] ?? 300
        var candidates: [(magnitude: Double, id: Int)] = (0..<n).map { i in
            switch shape {
            case "ascending": (Double(i), i)
            case "descending": (Double(n - i), i)
            case "ties": (Double(generator.next() % 4), i)  // many equal magnitudes: ids decide
            default: (Double(generator.next() % 1_000_000) / 7, i)
            }
        }
        if shape == "ties" || shape == "random" {  // ids in no particular order
            for i in candidates.indices.reversed() { candidates.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
        }
        let sorted = candidates.sorted(by: Self.precedes)
        for k in [0, 1, 2, 10, 50, n - 1, n, n + 3] where k >= 0 {
            let picked = firstRanked(k, of: candidates, by: Self.precedes)
            #expect(picked.map(\.id) == sorted.prefix(k).map(\.id), "k = \(k)")
        }
    }
}
