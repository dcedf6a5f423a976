/// One bad value in an input document.
package struct Problem: Hashable, Sendable, CustomStringConvertible {
    /// Where: a JSON path such as `$.relationships[3].weight`, optionally after a file name.
    package var path: String
    package var message: String
    package var hint: String?
    /// Stable code, e.g. `world.unknown-entity` or a formula diagnostic code.
    package var code: String
    /// For formula diagnostics: the compiler-style rendering with line, column and caret.
    package var rendered: String?
    /// The 1-based line and column of the value (or, for an unknown key, the key) in the source
    /// text, once `located(in:)` has found it there.
    package var line: Int?
    package var column: Int?

    package init(path: String, code: String, message: String, hint: String? = nil, rendered: String? = nil) {
        self.path = path
        self.code = code
        self.message = message
        self.hint = hint
        self.rendered = rendered
    }

    /// The one location format: `FILE:LINE:COLUMN: $.path: message`, with `FILE:` only when the
    /// document came from a file and `LINE:COLUMN: ` only when the source text was at hand.
    package var description: String {
        var text = ""
        if let line, let column {
            let (file, jsonPath) = Self.split(path)
            text = (file.map { "\($0):" } ?? "") + "\(line):\(column): \(jsonPath): \(message)"
        } else {
            text = "\(path): \(message)"
        }
        if let hint { text += " (hint: \(hint))" }
        return text
    }

    /// The problem with the line and column of its JSON path in `source` (the document's text,
    /// as read): of the value, of the key for an unknown key, of the object for a missing member.
    /// Unchanged when it has them already or the path is not found there.
    package func located(in source: [UInt8]) -> Problem {
        guard line == nil, var jsonPath = JSONPath(parsing: String(Self.split(path).jsonPath)) else { return self }
        if code == "json.missing", !jsonPath.components.isEmpty { jsonPath = jsonPath.parent }
        guard let (line, column) = JSONValue.lineColumn(of: jsonPath, key: code == "json.unknown-key", in: source) else {
            return self
        }
        var located = self
        located.line = line
        located.column = column
        return located
    }

    /// `path` as `JSONReader.place` wrote it (`FILE: $.path` or `$.path`), taken apart.
    static func split(_ path: String) -> (file: String?, jsonPath: Substring) {
        if path.hasPrefix("$") { return (nil, Substring(path)) }
        guard let marker = path.firstRange(of: ": $") else { return (nil, Substring(path)) }
        return (String(path[..<marker.lowerBound]), path[path.index(after: marker.lowerBound)...].dropFirst())
    }
}

extension Sequence<Problem> {
    /// The problems located in `source` (see `Problem.located(in:)`). Each costs up to one scan
    /// of the text, so past the first ten they are located only while the bytes scanned stay
    /// within 256 MiB (a thousand problems of a large world file keep their paths alone).
    package func located(in source: [UInt8]) -> [Problem] {
        var scanned = 0
        return enumerated().map { index, problem in
            guard index < 10 || scanned + source.count <= 256 << 20 else { return problem }
            scanned += source.count
            return problem.located(in: source)
        }
    }
}

extension Problem {
    /// The problem as JSON: `path`, `code`, `message`, `hint` (or null), `line` and `column` when
    /// located in the source, and `rendered` for formula diagnostics.
    package var json: JSONValue {
        var problem = JSONObject()
        problem["path"] = .string(path)
        problem["code"] = .string(code)
        problem["message"] = .string(message)
        problem["hint"] = hint.map(JSONValue.string) ?? .null
        if let line, let column {
            problem["line"] = .number(Double(line))
            problem["column"] = .number(Double(column))
        }
        if let rendered { problem["rendered"] = .string(rendered) }
        return .object(problem)
    }
}
