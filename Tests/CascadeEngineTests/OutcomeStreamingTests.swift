@testable import CascadeEngine
import CascadeJSON
import CascadeStore
import CascadeTestSupport
import Testing

/// A result document and its CSV are written piece by piece (`cascade run --json`, `--out` and
/// `--format csv` never hold a large one whole): the pieces, joined, are the whole document, for
/// a fresh result (entities serialised from the columns) and a cached one.
struct OutcomeStreamingTests {
    @Test(arguments: ScenarioServiceTests.Backend.available)
    func piecesJoinToTheWholeDocument(_ backend: ScenarioServiceTests.Backend) throws {
        try backend.withSampleStore { store in
            let service = ScenarioService(store: store)
            let (id, _) = try service.submit(try ScenarioServiceTests.scenarioFile("fed-rate-cut-2025.json"), today: "2025-06-30")
            let fresh = try service.run(id, includeEntities: true)
            let cached = try service.run(id, includeEntities: true)
            #expect(!fresh.isCached && cached.isCached)
            for outcome in [fresh, cached] {
                let texts = try #require(outcome.entityTexts)
                #expect(texts.count > 10)
                var pieces: [String] = []
                outcome.writeDocument(chunkBytes: 200) { pieces.append($0) }
                #expect(pieces.count > texts.count / 4, "\(pieces.count) pieces")
                #expect(pieces.dropLast().allSatisfy { $0.utf8.count >= 200 })
                let whole = pieces.joined()
                let same = whole == outcome.documentText  // (not printed whole when it fails)
                #expect(same)
                let document = try JSONValue.parse(whole)
                #expect(document["entities"]?.arrayValue == texts.map { try? JSONValue.parse($0) })
                var summary = try #require(outcome.summary.objectValue)
                for key in ["top_movers", "moved_per_level", "source_names", "entity_count"] { summary[key] = nil }
                var rest = try #require(document.objectValue)
                rest["entities"] = nil
                #expect(JSONValue.object(rest).withSortedKeys() == JSONValue.object(summary).withSortedKeys())

                var rows: [String] = []
                try ResultCSV.write(outcome, chunkBytes: 100) { rows.append($0) }
                #expect(rows.count > texts.count / 4)
                let sameCSV = rows.joined() == (try ResultCSV.text(outcome))
                #expect(sameCSV)
                #expect(rows.joined().split(separator: "\r\n").count == texts.count + 1)
            }
        }
    }
}
