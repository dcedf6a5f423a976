@testable import CascadeCLI
import CascadeJSON
import CascadeStore
import Foundation
import Testing

/// Golden transcripts of the REPL's state machine: each file in `Transcripts/` is a session as a
/// terminal shows it — prompts with what was typed, then what the REPL printed. The typed lines
/// are read back from the file, replayed into a fresh session, and the whole transcript must come
/// out identical. `CASCADE_RECORD=1 swift test --filter REPLTranscript` rewrites the files from
/// what the REPL prints now (to add a transcript, write just its `> ` lines and record).
struct REPLTranscriptTests {
    enum Library: Sendable {
        /// A temporary SQLite store with every document of the project's `Formulas/` registered,
        /// as the default store's sample has them.
        case store
        /// The documents of `Transcripts/formulas.json`, in memory (cases a registry would refuse).
        case fixture
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Transcripts")
    static let formulasDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Formulas")

    static let transcripts: [(String, Library)] = [
        ("expressions", .store), ("bindings", .store), ("multiline", .store), ("commands", .store),
        ("errors", .store), ("registry", .store), ("fixture-library", .fixture), ("explain", .store),
    ]

    @Test(arguments: transcripts)
    func transcript(_ name: String, _ library: Library) throws {
        let url = Self.directory.appendingPathComponent("\(name).txt")
        let expected = try String(contentsOf: url, encoding: .utf8)
        let inputs = Transcript.inputs(of: expected)
        #expect(inputs.count >= 5, "a transcript types at least five lines")

        let storeDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-repl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: storeDirectory) }
        var session = ReplSession(library: try Self.makeLibrary(library, in: storeDirectory))
        let actual = Transcript.replay(inputs, in: &session)

        if ProcessInfo.processInfo.environment["CASCADE_RECORD"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        #expect(actual == expected, "\(name).txt differs:\n\(Transcript.difference(expected, actual))")
    }

    /// The README's REPL example is a transcript too: what a terminal shows, prompts included.
    @Test func theReadmeExampleIsWhatTheREPLShows() throws {
        let readme = try String(contentsOf: Self.formulasDirectory.deletingLastPathComponent().appendingPathComponent("README.md"),
                                encoding: .utf8)
        let section = try #require(readme.range(of: "## `cascade repl`"))
        let rest = readme[section.upperBound...]
        let start = try #require(rest.range(of: "```text\n"))
        let end = try #require(rest[start.upperBound...].range(of: "```"))
        var lines = rest[start.upperBound..<end.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "$ scripts/cascade repl")
        #expect(lines.dropFirst().first.map(String.init) == ReplCommand.banner)
        lines.removeFirst(min(2, lines.count))
        let expected = lines.joined(separator: "\n")
        let inputs = Transcript.inputs(of: expected)
        #expect(inputs.count >= 5, "the example types at least five lines")

        let storeDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("cascade-repl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: storeDirectory) }
        var session = ReplSession(library: try Self.makeLibrary(.store, in: storeDirectory))
        let actual = Transcript.replay(inputs, in: &session)
        #expect(actual == expected, "the README's REPL example differs:\n\(Transcript.difference(expected, actual))")
    }

    static func makeLibrary(_ library: Library, in directory: URL) throws -> FormulaLibrary {
        switch library {
        case .fixture:
            let data = try Data(contentsOf: Self.directory.appendingPathComponent("formulas.json"))
            return try InMemoryFormulaLibrary(source: Array(data), file: "formulas.json")
        case .store:
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let store = try Store(.sqlite(path: directory.appendingPathComponent("cascade.sqlite").path))
            try store.migrate()
            let files = try FileManager.default.contentsOfDirectory(atPath: formulasDirectory.path).filter { $0.hasSuffix(".json") }.sorted()
            for file in files {
                let text = try String(contentsOf: formulasDirectory.appendingPathComponent(file), encoding: .utf8)
                var problems: [Problem] = []
                guard let document = FormulaDocument.decode(try JSONValue.parse(text), file: file, problems: &problems) else {
                    throw FormulaLibraryError(message: "\(file): \(problems)")
                }
                _ = try store.register(document, file: file)
            }
            return StoreFormulaLibrary { store }
        }
    }
}

/// Reading and writing transcripts.
enum Transcript {
    /// The typed lines: those after a prompt (`> ` or `... `; a bare `>` or `...` is an empty line).
    static func inputs(of transcript: String) -> [String] {
        transcript.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
            for prompt in [ReplSession.prompt, ReplSession.continuationPrompt] {
                if line.hasPrefix(prompt) { return String(line.dropFirst(prompt.count)) }
                if line == prompt.trimmingCharacters(in: .whitespaces) { return "" }
            }
            return nil
        }
    }

    /// What a terminal would show for `inputs`: each prompt and line, then the REPL's output.
    static func replay(_ inputs: [String], in session: inout ReplSession) -> String {
        var out = ""
        for input in inputs {
            out += session.prompt + input + "\n"
            let step = session.receive(input)
            out += step.output.map(\.text).joined()
            if step.quits { break }
        }
        let last = session.finish()
        return out + last.output.map(\.text).joined()
    }

    /// The first differing line, for a readable failure.
    static func difference(_ expected: String, _ actual: String) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? String(a[index]) : "<end>"
            let y = index < b.count ? String(b[index]) : "<end>"
            if x != y { return "line \(index + 1):\n  expected: \(x)\n  actual:   \(y)" }
        }
        return "(no line differs)"
    }
}
