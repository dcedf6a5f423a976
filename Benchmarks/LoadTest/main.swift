// cascade-load: a bounded HTTP load test of `cascade serve` (loopback only).
//
//   cascade-load --url http://127.0.0.1:8080 --keys KEYS.txt [--clients 50] [--seconds 30] [--json]
//
// KEYS.txt holds one "username key" per line (authors; client i uses line i mod count). Each
// client loops until the time is up: submit a new scenario (POST /v1/scenarios), run it and wait
// for the result (POST /v1/scenarios/{id}/runs?wait=…, then GET /v1/runs/{job} while it is
// queued), fetch the stored result (GET /v1/scenarios/{id}/result). Afterwards every accepted
// submission is read back: one that is missing or has no result counts as lost.
// Prints requests per second, latency percentiles per request kind, errors and lost submissions.
import AsyncHTTPClient
import CascadeJSON
import Foundation
import NIOCore
import NIOHTTP1

struct Options {
    var url = "http://127.0.0.1:8080"
    var keys = ""
    var clients = 50
    var seconds = 30.0
    var json = false

    init(_ arguments: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < arguments.count else { fail("\(arguments[i - 1]) needs a value") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--url": url = value()
            case "--keys": keys = value()
            case "--clients": clients = Int(value()) ?? 0
            case "--seconds": seconds = Double(value()) ?? 0
            case "--json": json = true
            case "-h", "--help":
                print("usage: cascade-load --url URL --keys FILE [--clients N] [--seconds S] [--json]")
                exit(0)
            default: fail("unknown argument \(arguments[i])")
            }
            i += 1
        }
        if keys.isEmpty || clients < 1 || seconds <= 0 { fail("give --keys FILE, --clients ≥ 1 and --seconds > 0") }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("cascade-load: \(message)\n".utf8))
    exit(2)
}

/// Latencies and failures, per request kind.
actor Tally {
    var latencies: [String: [Double]] = [:]
    var errors: [String: Int] = [:]
    var samples: [String] = []
    var submitted: [(id: String, key: String)] = []

    func record(_ kind: String, ms: Double) { latencies[kind, default: []].append(ms) }

    func failure(_ kind: String, _ what: String) {
        errors[kind, default: 0] += 1
        if samples.count < 10 { samples.append("\(kind): \(what)") }
    }

    func accepted(_ id: String, key: String) { submitted.append((id, key)) }
}

struct Client {
    let base: String
    let username: String
    let key: String
    let tally: Tally

    struct Reply {
        var status: Int
        var json: JSONValue?
    }

    func send(_ kind: String, _ method: HTTPMethod, _ path: String, body: String? = nil) async -> Reply? {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let start = ContinuousClock.now
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            let elapsed = ContinuousClock.now - start
            await tally.record(kind, ms: Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
            return Reply(status: Int(response.status.code), json: try? JSONValue.parse(String(buffer: bytes)))
        } catch {
            await tally.failure(kind, "\(error)")
            return nil
        }
    }

    func expect(_ reply: Reply?, _ kind: String, _ statuses: Set<Int>) async -> Reply? {
        guard let reply else { return nil }
        guard statuses.contains(reply.status) else {
            await tally.failure(kind, "status \(reply.status): \(reply.json?.serialized().prefix(200) ?? "")")
            return nil
        }
        return reply
    }

    /// One iteration: submit, run (waiting), fetch. Returns false on a failure.
    func iteration(_ client: Int, _ n: Int) async -> Bool {
        let rate = 0.01 + Double((client * 7919 + n) % 400) / 10_000
        let scenario = """
            {"name": "load \(client)-\(n)", "author": \(JSONValue.string(username).serialized()), "as_of": "2025-06-30",
             "is_public": \(n % 2 == 0), "macro_variables": {"fed_funds_rate": \(rate), "us_gdp_growth": 0.03}}
            """
        guard let submitted = await expect(await send("submit", .POST, "/v1/scenarios", body: scenario), "submit", [201]),
              let id = submitted.json?["id"]?.stringValue else { return false }
        await tally.accepted(id, key: key)
        guard var run = await expect(await send("run", .POST, "/v1/scenarios/\(id)/runs?wait=60&entities=false"), "run", [200, 202])
        else { return false }
        while run.status == 202, let job = run.json?["id"]?.stringValue {
            guard let next = await expect(await send("poll", .GET, "/v1/runs/\(job)?wait=60&entities=false"), "poll", [200, 202])
            else { return false }
            run = next
        }
        return await expect(await send("fetch", .GET, "/v1/scenarios/\(id)/result?entities=false"), "fetch", [200]) != nil
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

let options = Options(CommandLine.arguments)
let users: [(String, String)] = ((try? String(contentsOfFile: options.keys, encoding: .utf8)) ?? "")
    .split(whereSeparator: \.isNewline).compactMap { line in
        let parts = line.split(separator: " ")
        return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
    }
if users.isEmpty { fail("no \"username key\" lines in \(options.keys)") }
let tally = Tally()
let start = ContinuousClock.now
let deadline = start + .milliseconds(Int(options.seconds * 1000))
var iterations = 0
await withTaskGroup(of: Int.self) { group in
    for c in 0..<options.clients {
        let (username, key) = users[c % users.count]
        let client = Client(base: options.url, username: username, key: key, tally: tally)
        group.addTask {
            var n = 0
            while ContinuousClock.now < deadline {
                _ = await client.iteration(c, n)
                n += 1
            }
            return n
        }
    }
    for await n in group { iterations += n }
}
let elapsed = ContinuousClock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

// Every accepted submission must be there, with a result.
var lost: [String] = []
for (id, key) in await tally.submitted {
    let checker = Client(base: options.url, username: "", key: key, tally: Tally())
    let reply = await checker.send("verify", .GET, "/v1/scenarios/\(id)")
    if reply?.status != 200 || reply?.json?["result_fingerprint"]?.stringValue == nil { lost.append(id) }
}

let latencies = await tally.latencies
let errors = await tally.errors
let requests = latencies.values.reduce(0) { $0 + $1.count } + errors.values.reduce(0, +)
let all = latencies.values.flatMap { $0 }.sorted()
func summary(_ values: [Double]) -> JSONValue {
    let sorted = values.sorted()
    return .object(JSONObject([
        ("count", .number(Double(sorted.count))), ("p50_ms", .number(percentile(sorted, 0.5))),
        ("p90_ms", .number(percentile(sorted, 0.9))), ("p99_ms", .number(percentile(sorted, 0.99))),
        ("max_ms", .number(sorted.last ?? 0)),
    ]))
}
var byKind = JSONObject()
for kind in latencies.keys.sorted() { byKind[kind] = summary(latencies[kind]!) }
let report = JSONValue.object(JSONObject([
    ("clients", .number(Double(options.clients))), ("seconds", .number((seconds * 100).rounded() / 100)),
    ("iterations", .number(Double(iterations))), ("requests", .number(Double(requests))),
    ("requests_per_second", .number((Double(requests) / seconds * 10).rounded() / 10)),
    ("latency", summary(all)), ("by_kind", .object(byKind)),
    ("errors", .number(Double(errors.values.reduce(0, +)))),
    ("error_samples", .array(await tally.samples.map(JSONValue.string))),
    ("submitted", .number(Double(await tally.submitted.count))), ("lost", .number(Double(lost.count))),
]))
if options.json {
    print(report.serialized())
} else {
    print(report.serialized(pretty: true))
}
exit(errors.isEmpty && lost.isEmpty ? 0 : 1)
