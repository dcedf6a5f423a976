/// A JSON document that could not be read: what went wrong, at which line and column, and the
/// path of the value being read when it happened.
package struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    package var message: String
    package var line: Int
    package var column: Int
    package var path: JSONPath

    package init(_ message: String, line: Int, column: Int, path: JSONPath) {
        self.message = message
        self.line = line
        self.column = column
        self.path = path
    }

    package var description: String { "\(line):\(column): \(message) (at \(path))" }

    /// Where the text stopped being JSON, in the one location format of a problem
    /// (`FILE:LINE:COLUMN: $.path`, see `Problem.description`), `FILE:` only when there is one.
    package func place(file: String?) -> String {
        (file.map { "\($0):" } ?? "") + "\(line):\(column): \(path)"
    }
}

/// Bounds on untrusted JSON, enforced while parsing.
package struct JSONLimits: Hashable, Sendable {
    /// Largest document, in bytes.
    package var maxBytes = 512 * 1024 * 1024
    /// Deepest nesting of arrays and objects.
    package var maxDepth = 128
    /// Longest string, in UTF-8 bytes.
    package var maxStringBytes = 16 * 1024 * 1024

    package init() {}

    package static let `default` = JSONLimits()
}
