/// A JSON document that could not be read: what went wrong, at which line and column, and the
/// path of the value being read when it happened.
public struct JSONError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var line: Int
    public var column: Int
    public var path: JSONPath

    public init(_ message: String, line: Int, column: Int, path: JSONPath) {
        self.message = message
        self.line = line
        self.column = column
        self.path = path
    }

    public var description: String { "\(line):\(column): \(message) (at \(path))" }
}

/// Bounds on untrusted JSON, enforced while parsing.
public struct JSONLimits: Hashable, Sendable {
    /// Largest document, in bytes.
    public var maxBytes = 512 * 1024 * 1024
    /// Deepest nesting of arrays and objects.
    public var maxDepth = 128
    /// Longest string, in UTF-8 bytes.
    public var maxStringBytes = 16 * 1024 * 1024

    public init() {}

    public static let `default` = JSONLimits()
}
