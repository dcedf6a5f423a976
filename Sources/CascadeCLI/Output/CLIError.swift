import ArgumentParser
import CascadeFormula
import CascadeJSON
import CascadeStore

/// A user-facing failure of a command: what went wrong, where, and what to do.
package struct CLIError: Error, CustomStringConvertible {
    /// The JSON `kind` (`syntax`, `name`, `type`, `forbidden`, `limit`, `runtime`, `input`, `store`, …).
    package var kind: String
    package var code: String
    package var message: String
    /// Where: a file, a JSON path, or `line:column`.
    package var location: String?
    package var hint: String?
    /// Extra detail printed after the one-line reason (e.g. rendered formula diagnostics).
    package var detail: String?

    package init(kind: String, code: String, message: String, location: String? = nil, hint: String? = nil,
                detail: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.location = location
        self.hint = hint
        self.detail = detail
    }

    package var description: String {
        (location.map { "\($0): " } ?? "") + message + (hint.map { " (hint: \($0))" } ?? "")
    }

    var json: JSONValue {
        var object = JSONObject()
        object["kind"] = .string(kind)
        object["code"] = .string(code)
        object["message"] = .string(message)
        if let location { object["location"] = .string(location) }
        if let hint { object["hint"] = .string(hint) }
        return .object(object)
    }
}
