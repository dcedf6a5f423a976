import Foundation
import Testing

/// A recorded text fixture (`Fixtures/*.txt`): rows written one per line under `#` headers,
/// compared line by line so a failure names the first lines that differ and their header.
/// `CASCADE_RECORD=1` writes the file from the current rows instead.
enum GoldenFile {
    /// Compares `actual` with `file`; returns the recorded text (nil when it was re-recorded).
    static func check(_ actual: String, against file: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
        if ProcessInfo.processInfo.environment["CASCADE_RECORD"] == "1" {
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return nil
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        let (a, e) = (actual.split(separator: "\n", omittingEmptySubsequences: false),
                      expected.split(separator: "\n", omittingEmptySubsequences: false))
        #expect(a.count == e.count, "\(a.count) lines, recorded \(e.count)", sourceLocation: sourceLocation)
        var differences: [String] = []
        var header = ""
        for (x, y) in zip(a, e) {
            if y.hasPrefix("#") { header = String(y) }
            if x != y { differences.append("\(header)\n  now:      \(x)\n  recorded: \(y)") }
        }
        #expect(differences.isEmpty, "\(differences.count) lines differ, first:\n\(differences.prefix(5).joined(separator: "\n"))",
                sourceLocation: sourceLocation)
        return expected
    }
}
