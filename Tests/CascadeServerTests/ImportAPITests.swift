@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

/// `POST /v1/import`: `cascade import` over HTTP for calibration scripts.
@Suite("HTTP import", .serialized)
struct ImportAPITests {
    /// History, a coefficient, a new entity wired into the graph and a formula, in one document.
    static let history = """
        {"entities": [{"id": "macro-api-history", "type": "MACRO", "name": "API history", "ontology_level": 1,
                       "metadata": {"variable": "api_history", "current_value": 0.02}}],
         "relationships": [{"id": "rel-api-history", "source_entity_id": "macro-api-history", "target_entity_id": "sec-semiconductor",
                            "type": "IMPACTS", "weight": 0.5, "metadata": {"formula": "api_double"}}],
         "sector_coefficients": [{"sector": "SEMICONDUCTOR", "coefficient_type": "api_elasticity", "value": 2.4, "effective_date": "2026-01-01"}],
         "macro_data": [{"date": "2024-Q1", "variable_name": "api_gdp_growth", "value": 0.021},
                        {"date": "2024-Q2", "variable_name": "api_gdp_growth", "value": 0.018}],
         "financial_data": [{"entity_id": "co-nvidia", "date": "2024-Q2", "revenue": 30040000000}],
         "formulas": [{"name": "api_double", "formula_text": "return x * 2;", "parameters": {"x": "number"}, "effective_date": "2025-01-01",
                       "test_cases": [{"inputs": {"x": 1.5}, "expected": 3, "tolerance": 0}]}]}
        """

    /// A calibrator's document is written whole and reported per table; sent again it writes nothing.
    @Test(arguments: Backend.available) func aCalibratorImportsAWorldDocument(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator), ("root", .admin)])
        let server = try await TestServer.start(location)
        let before = try Store(location).tableCounts()

        let imported = try await server.request(.POST, "/v1/import", key: keys["cal"], body: Self.history)
        #expect(imported.status == 201, "\(imported.body)")
        #expect(OpenAPISpec.shared.problems("POST", "/v1/import", imported).isEmpty, "\(OpenAPISpec.shared.problems("POST", "/v1/import", imported))")
        let expected: [String: Double] = ["entities": 1, "relationships": 1, "sector_coefficients": 1, "macro_data": 2, "financial_data": 1, "formulas": 1]
        for (table, rows) in expected {
            #expect(imported.json?["rows_read"]?[table]?.numberValue == rows, "\(table): \(imported.body)")
            #expect(imported.json?["rows_written"]?[table]?.numberValue == rows, "\(table): \(imported.body)")
        }
        #expect(imported.json?["formulas"]?.arrayValue?.first?["name"] == .string("api_double"))
        #expect(imported.json?["file"] == nil)
        let after = try Store(location).tableCounts()
        for (table, rows) in expected { #expect(after[table] == before[table]! + Int(rows), "\(table)") }
        #expect(try Store(location).macroData().contains { $0.variableName == "api_gdp_growth" && $0.date == "2024-06-30" && $0.value == 0.018 })

        let again = try await server.request(.POST, "/v1/import", key: keys["root"], body: Self.history)
        #expect(again.status == 200 && again.json?["rows_written"]?["macro_data"] == .number(0), "\(again.body)")
        #expect(OpenAPISpec.shared.problems("POST", "/v1/import", again).isEmpty)
        let audit = try await server.request(.GET, "/v1/audit?limit=1000", key: keys["root"])
        #expect((audit.json?["entries"]?.arrayValue ?? []).contains { $0["actor"] == .string("cal") && $0["table"] == .string("world") && $0["action"] == .string("import") }, "the import is audited as its caller")
        await server.stop()
    }

    /// Viewers and authors may not import; a bad document is refused whole, every problem by its
    /// JSON path, and a body over --max-body is a 413: nothing is written in any case.
    @Test(arguments: Backend.available) func refusedImportsWriteNothing(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("cal", .calibrator), ("vic", .viewer), ("alice", .author)])
        let server = try await TestServer.start(location) { $0.maxBodyBytes = 4096 }
        let before = try Store(location).tableCounts()
        func post(_ user: String, _ body: String) async throws -> TestServer.Reply {
            let reply = try await server.request(.POST, "/v1/import", key: keys[user], body: body)
            #expect(OpenAPISpec.shared.problems("POST", "/v1/import", reply).isEmpty, "\(OpenAPISpec.shared.problems("POST", "/v1/import", reply))")
            return reply
        }

        for user in ["vic", "alice"] {
            let refused = try await post(user, Self.history)
            #expect(refused.status == 403 && refused.errorCode == "forbidden", "\(user): \(refused.body)")
        }
        // Good rows beside bad ones: none is written, and each bad one is named by its path.
        let bad = """
            {"macro_data": [{"date": "2024-Q1", "variable_name": "api_gdp_growth", "value": 0.021},
                            {"date": "2024-13-01", "variable_name": "api_gdp_growth", "value": 0.018},
                            {"date": "2024-Q3", "variable_name": "api_gdp_growth", "value": "high"}],
             "relationships": [{"id": "rel-x", "source_entity_id": "no-such-entity", "target_entity_id": "sec-semiconductor", "type": "IMPACTS"}]}
            """
        let refused = try await post("cal", bad)
        #expect(refused.status == 400 && refused.errorCode == "invalid_input", "\(refused.body)")
        #expect(refused.error?["message"] == .string("the world document has 3 problems; nothing was written"), "\(refused.body)")
        let paths = (refused.error?["problems"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
        for path in ["$.macro_data[1].date", "$.macro_data[2].value", "$.relationships[0].source_entity_id"] {
            #expect(paths.contains(path), "\(path) not in \(paths)")
        }
        #expect(refused.error?["path"]?.stringValue?.hasPrefix("$.") == true, "\(refused.body)")
        #expect(!refused.body.contains(location.description), "the error names the store")
        for body in ["[1, 2]", #"{"macro_data": [], "colour": "red"}"#, #"{"macro_data": [1,]}"#] {
            let reply = try await post("cal", body)
            #expect(reply.status == 400 && reply.error?["path"]?.stringValue?.hasPrefix("$") == true, "\(body): \(reply.body)")
        }
        let rows = (0..<100).map { #"{"date": "2024-01-01", "variable_name": "v\#($0)", "value": 1}"# }.joined(separator: ",")
        let huge = try await post("cal", #"{"macro_data": [\#(rows)]}"#)
        #expect(huge.status == 413 && huge.errorCode == "body_too_large", "\(huge.body)")
        #expect(try Store(location).tableCounts() == before, "a refused import wrote something")
        await server.stop()
    }
}
