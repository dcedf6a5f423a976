@testable import CascadeServer
import CascadeJSON
import CascadeStore
import Foundation
import NIOHTTP1
import Testing

/// `GET /v1/macro-data`: the stored history for calibration scripts, read back page by page.
@Suite("HTTP macro data", .serialized)
struct MacroDataAPITests {
    /// The bundled history's points of `variables` in `from…to`, ordered as the endpoint orders
    /// them (variable, then date): read from the file `init --sample` loaded, not from the store.
    static func bundled(_ variables: Set<String>, from: String, to: String) throws -> [JSONValue] {
        let url = Cascade.packageRoot.appendingPathComponent("Scenarios/world/macro-history.json")
        let rows = try JSONValue.parse(String(contentsOf: url, encoding: .utf8))["macro_data"]?.arrayValue ?? []
        return rows.filter { row in
            let date = row["date"]?.stringValue ?? ""
            return variables.contains(row["variable_name"]?.stringValue ?? "") && date >= from && date <= to
        }.sorted { a, b in
            let (va, vb) = (a["variable_name"]?.stringValue ?? "", b["variable_name"]?.stringValue ?? "")
            return va != vb ? va < vb : (a["date"]?.stringValue ?? "") < (b["date"]?.stringValue ?? "")
        }
    }

    /// Any key reads the history: filtered by variables and a window, whole or a page at a time,
    /// each point as the world file wrote it.
    @Test(arguments: Backend.available) func aViewerReadsTheHistoryPageByPage(_ backend: Backend) async throws {
        let (location, _, cleanup) = try backend.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("vic", .viewer)])
        let server = try await TestServer.start(location)
        func get(_ query: String) async throws -> TestServer.Reply {
            let reply = try await server.request(.GET, "/v1/macro-data" + query, key: keys["vic"])
            #expect(OpenAPISpec.shared.problems("GET", "/v1/macro-data", reply).isEmpty, "\(OpenAPISpec.shared.problems("GET", "/v1/macro-data", reply))")
            return reply
        }
        let expected = try Self.bundled(["us_real_gdp", "us_real_investment"], from: "1990-01-01", to: "2009-09-30")
        #expect(expected.count == 2 * 79)

        let whole = try await get("?variable=us_real_gdp,us_real_investment&from=1990-01-01&to=2009-09-30&limit=1000")
        #expect(whole.status == 200, "\(whole.body)")
        #expect(whole.json?["macro_data"]?.arrayValue == expected, "\(whole.body.prefix(600))")
        #expect(whole.json?["limit"] == .number(1000) && whole.json?["offset"] == .number(0))

        var paged: [JSONValue] = []
        for offset in stride(from: 0, to: 200, by: 50) {
            let page = try await get("?variable=us_real_gdp,us_real_investment&from=1990-01-01&to=2009-09-30&limit=50&offset=\(offset)")
            paged += page.json?["macro_data"]?.arrayValue ?? []
        }
        #expect(paged == expected)

        let first = try await get("")
        #expect(first.json?["macro_data"]?.arrayValue?.count == 100 && first.json?["limit"] == .number(100), "the default page is 100 points")
        #expect(try await get("?variable=us_real_gdp&from=2009-07-01").json?["macro_data"]?.arrayValue
                == (try Self.bundled(["us_real_gdp"], from: "2009-07-01", to: "9999-12-31")))
        #expect(try await get("?variable=us_real_gdp&to=1959-01-01").json?["macro_data"]?.arrayValue == [], "an empty window is an empty page")
        #expect(try await server.request(.GET, "/v1/macro-data", key: nil).status == 401)
        await server.stop()
    }

    /// Bad filters are refused with where and a hint, never answered with a silently empty page.
    @Test(arguments: [
        ("?variable=us_real_gpd", 404, "not_found", "?variable", "did you mean `us_real_gdp`?"),
        ("?variable=us_real_gdp,,us_cpi_index", 400, "bad_request", "?variable", "separated by commas"),
        ("?from=2009-13-01", 400, "bad_request", "?from", "YYYY-MM-DD"),
        ("?from=2009-01-01&to=2008-12-31", 400, "bad_request", "?from", "oldest first"),
        ("?limit=1001", 400, "bad_request", "?limit", nil),
        ("?variables=us_real_gdp", 400, nil, nil, nil),
    ] as [(String, Int, String?, String?, String?)])
    func badFiltersAreRefusedWithWhereAndAHint(_ query: String, _ status: Int, _ code: String?, _ path: String?, _ hint: String?) async throws {
        let (location, _, cleanup) = try Backend.sqlite.freshStore()
        defer { cleanup() }
        let keys = try issueKeys(location, [("vic", .viewer)])
        let server = try await TestServer.start(location)
        let reply = try await server.request(.GET, "/v1/macro-data" + query, key: keys["vic"])
        await server.stop()
        #expect(reply.status == status, "\(reply.body)")
        #expect(OpenAPISpec.shared.problems("GET", "/v1/macro-data", reply).isEmpty, "\(OpenAPISpec.shared.problems("GET", "/v1/macro-data", reply))")
        if let code { #expect(reply.errorCode == code, "\(reply.body)") }
        if let path { #expect(reply.error?["path"] == .string(path), "\(reply.body)") }
        if let hint { #expect(reply.error?["hint"]?.stringValue?.contains(hint) == true, "\(reply.body)") }
    }
}
