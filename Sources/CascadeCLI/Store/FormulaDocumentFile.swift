import CascadeJSON
import CascadeStore
import Foundation

/// Reads a formula version document (or a backtest spec) from disk, turning every problem into one `StoreError`.
enum FormulaDocumentFile {
    static func read(_ path: String) throws -> FormulaDocument {
        let (value, source) = try json(path)
        var problems: [Problem] = []
        guard let document = FormulaDocument.decode(value, file: path, problems: &problems) else {
            problems = problems.located(in: source)
            throw StoreError(.invalidInput, "the formula document has \(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was registered",
                             location: path, hint: "fix every problem listed", problems: problems)
        }
        return document
    }

    /// A backtest spec file (docs/formats.md, "Backtest spec").
    static func readBacktestSpec(_ path: String) throws -> BacktestSpec {
        let (value, source) = try json(path)
        var problems: [Problem] = []
        guard let spec = BacktestSpec.decode(value, file: path, problems: &problems) else {
            problems = problems.located(in: source)
            throw StoreError(.invalidInput, "the backtest spec has \(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was run",
                             location: path, hint: "fix every problem listed", problems: problems)
        }
        return spec
    }

    /// The document in `path` and its bytes (to locate its problems in).
    static func json(_ path: String) throws -> (value: JSONValue, source: [UInt8]) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw StoreError(.io, "cannot read the file: \(error.localizedDescription)", location: path, hint: "check the path")
        }
        let value: JSONValue
        let source = Array(data)
        do { value = try JSONValue.parse(bytes: source) } catch {
            throw StoreError(.invalidInput, "not valid JSON: \(error.message)", location: "\(path):\(error.line):\(error.column)",
                             hint: "fix the JSON syntax")
        }
        return (value, source)
    }
}
