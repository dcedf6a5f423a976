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

    package init(path: String, code: String, message: String, hint: String? = nil, rendered: String? = nil) {
        self.path = path
        self.code = code
        self.message = message
        self.hint = hint
        self.rendered = rendered
    }

    package var description: String {
        var text = "\(path): \(message)"
        if let hint { text += " (hint: \(hint))" }
        return text
    }
}

extension Problem {
    /// The problem as JSON: `path`, `code`, `message`, `hint` (or null), and `rendered` for formula diagnostics.
    package var json: JSONValue {
        var problem = JSONObject()
        problem["path"] = .string(path)
        problem["code"] = .string(code)
        problem["message"] = .string(message)
        problem["hint"] = hint.map(JSONValue.string) ?? .null
        if let rendered { problem["rendered"] = .string(rendered) }
        return .object(problem)
    }
}
