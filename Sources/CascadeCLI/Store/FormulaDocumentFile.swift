import CascadeJSON
import CascadeStore
import Foundation

/// Reads a formula version document from disk, turning every problem into one `StoreError`.
enum FormulaDocumentFile {
    static func read(_ path: String) throws -> FormulaDocument {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw StoreError(.io, "cannot read the file: \(error.localizedDescription)", location: path, hint: "check the path")
        }
        let value: JSONValue
        do { value = try JSONValue.parse(bytes: Array(data)) } catch {
            throw StoreError(.invalidInput, "not valid JSON: \(error.message)", location: "\(path):\(error.line):\(error.column)",
                             hint: "fix the JSON syntax")
        }
        var problems: [Problem] = []
        guard let document = FormulaDocument.decode(value, file: path, problems: &problems) else {
            throw StoreError(.invalidInput, "the formula document has \(problems.count) problem\(problems.count == 1 ? "" : "s"); nothing was registered",
                             location: path, hint: "fix every problem listed", problems: problems)
        }
        return document
    }
}
