@testable import CascadeEngine
import CascadeJSON
@testable import CascadeStore
import CascadeTestSupport
import Foundation
import Testing

/// The documentation a user's clone holds stands on its own: the format reference names every
/// key the readers accept, and nothing user-facing points outside the repository.
@Suite("Documentation")
struct DocumentationTests {
    static let root = PackageExecutables.root

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The part of `docs/formats.md` under the heading that starts with `heading`, up to the next
    /// heading of the same or a higher level.
    static func section(_ heading: String) throws -> String {
        let reference = try text("docs/formats.md")
        let lines = reference.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("#") && $0.drop(while: { $0 == "#" }).dropFirst().hasPrefix(heading) }) else {
            Issue.record("docs/formats.md has no heading `\(heading)`")
            return ""
        }
        let level = lines[start].prefix(while: { $0 == "#" }).count
        let end = lines[(start + 1)...].firstIndex(where: { $0.hasPrefix("#") && $0.prefix(while: { $0 == "#" }).count <= level }) ?? lines.endIndex
        return lines[start..<end].joined(separator: "\n")
    }

    /// Every key a reader accepts, beside the heading of the section that must document it.
    static let documentedKeys: [(heading: String, what: String, keys: Set<String>)] = [
        ("A world file", "world file", WorldDecoder.topKeys),
        ("A world file", "entity", WorldRowRules.entityKeys),
        ("A world file", "relationship", WorldRowRules.relationshipKeys),
        ("A world file", "sector coefficient", SectorCoefficient.keys),
        ("A world file", "macro data", WorldDecoder.macroDataKeys),
        ("A world file", "financial data", WorldDecoder.financialDataKeys),
        ("A scenario file", "scenario", Scenario.keys),
        ("Level settings", "level setting", Scenario.levelKeys),
        ("A formula version document", "formula document", FormulaDocument.keys),
        ("A formula version document", "test case", FormulaTestCase.keys),
    ]

    @Test(arguments: documentedKeys.indices)
    func theFormatReferenceNamesEveryKey(_ index: Int) throws {
        let (heading, what, keys) = Self.documentedKeys[index]
        let section = try Self.section(heading)
        for key in keys.sorted() {
            #expect(section.contains("`\(key)`"), "docs/formats.md (\(heading)) does not document the \(what) key `\(key)`")
        }
    }

    @Test func batchLinesAreDocumented() throws {
        let section = try Self.section("`cascade eval --batch` lines")
        let outputKeys = ["ok", "type", "value", "error", "kind", "code", "message", "line", "column",
                          "trace", "start", "end", "text", "condition", "failed_conditions"]
        for key in FormulaEvaluation.requestKeys + outputKeys {
            #expect(section.contains("`\(key)`") || section.contains("\"\(key)\""), "the batch format does not mention `\(key)`")
        }
    }

    /// A user's clone has no `../shared`: no user-facing text may send them there.
    @Test func nothingUserFacingPointsOutsideTheRepository() throws {
        let files = ["README.md", "Scenarios/README.md", "Formulas/README.md", "Benchmarks/README.md", "Fuzz/README.md",
                     "docs/formats.md", "docs/propagation.md", "docs/openapi.json"]
        for file in files where FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(file).path) {
            let text = try Self.text(file)
            for line in text.split(separator: "\n") where line.contains("interfaces.md") || line.contains("shared/design") {
                Issue.record("\(file) refers to a document a clone does not have: \(line)")
            }
        }
        for arguments in [["import", "--help"], ["scenario", "submit", "--help"], ["run", "--help"]] {
            let help = try CascadeBinary.run(arguments)
            #expect(!help.stdout.contains("interfaces.md"), "cascade \(arguments.joined(separator: " ")): \(help.stdout)")
        }
    }
}
