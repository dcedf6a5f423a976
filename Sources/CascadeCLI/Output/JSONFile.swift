import CascadeJSON
import CascadeStore
import Foundation

/// The one reader of a JSON file named on the command line (a formula document, a backtest
/// spec, a scenario): its bytes and parsed value, or a `StoreError` that names the file and,
/// for a syntax mistake, its place (`FILE:LINE:COLUMN: $.path`). The bytes are kept so that
/// the document's problems can be located in them afterwards (`Problem.located(in:)`).
enum JSONFile {
    static func read(_ path: String) throws -> (value: JSONValue, source: [UInt8]) {
        let source: [UInt8]
        do { source = Array(try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw StoreError(.io, "cannot read the file: \(error.localizedDescription)", location: path, hint: "check the path")
        }
        do {
            return (try JSONValue.parse(bytes: source), source)
        } catch {
            throw StoreError(.invalidInput, "not valid JSON: \(error.message)", location: error.place(file: path),
                             hint: "fix the JSON syntax")
        }
    }

    /// The document in `path`, read by `decode` (a `decode(_:at:file:problems:)` of the one
    /// reader), or a `StoreError` with every problem it found, each located in the file:
    /// "`what` has 2 problems; `outcome`".
    static func document<Document>(_ path: String, what: String, outcome: String,
                                   _ decode: (JSONValue, String, inout [Problem]) -> Document?) throws -> Document {
        let (value, source) = try read(path)
        var problems: [Problem] = []
        guard let document = decode(value, path, &problems) else {
            problems = problems.located(in: source)
            throw StoreError(.invalidInput, "\(what) has \(problems.count) problem\(problems.count == 1 ? "" : "s"); \(outcome)",
                             location: path, hint: "fix every problem listed", problems: problems)
        }
        return document
    }
}
