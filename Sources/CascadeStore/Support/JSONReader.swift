import CascadeJSON

/// Reads typed fields out of a JSON object, recording a `Problem` with the field's path for
/// every missing, mistyped or unknown member instead of stopping at the first.
struct JSONReader {
    let object: JSONObject
    let path: JSONPath
    let file: String?

    init?(_ value: JSONValue, at path: JSONPath, file: String?, what: String, problems: inout [Problem]) {
        guard case .object(let object) = value else {
            problems.append(Problem(path: Self.place(file, path), code: "json.type",
                                    message: "\(what) must be an object, not \(value.typeName)"))
            return nil
        }
        self.object = object
        self.path = path
        self.file = file
    }

    static func place(_ file: String?, _ path: JSONPath) -> String {
        file.map { "\($0): \(path)" } ?? path.description
    }

    func place(_ key: String) -> String { Self.place(file, path.appending(key)) }

    func problem(_ key: String, _ code: String, _ message: String, hint: String? = nil) -> Problem {
        Problem(path: place(key), code: code, message: message, hint: hint)
    }

    /// Members not in `known` are errors: a misspelt key must not be silently ignored.
    func rejectUnknownKeys(_ known: Set<String>, problems: inout [Problem]) {
        for key in object.keys where !known.contains(key) {
            problems.append(problem(key, "json.unknown-key", "unknown key `\(key)`",
                                    hint: "known keys: " + known.sorted().joined(separator: ", ")))
        }
    }

    func string(_ key: String, required: Bool = false, maxLength: Int? = nil, problems: inout [Problem]) -> String? {
        switch object[key] {
        case nil, .null?:
            if required { problems.append(problem(key, "json.missing", "`\(key)` is required")) }
            return nil
        case .string(let s)?:
            if required && s.isEmpty {
                problems.append(problem(key, "json.empty", "`\(key)` must not be empty"))
                return nil
            }
            // Characters as SQL's length() and the schema's CHECKs count them: Unicode scalars.
            if let maxLength, s.utf8.count > maxLength, s.unicodeScalars.count > maxLength {
                problems.append(problem(key, "json.too-long", "`\(key)` is \(s.unicodeScalars.count) characters; the limit is \(maxLength)"))
                return nil
            }
            return s
        case let other?:
            problems.append(problem(key, "json.type", "`\(key)` must be a string, not \(other.typeName)"))
            return nil
        }
    }

    func number(_ key: String, required: Bool = false, problems: inout [Problem]) -> Double? {
        switch object[key] {
        case nil, .null?:
            if required { problems.append(problem(key, "json.missing", "`\(key)` is required")) }
            return nil
        case .number(let x)?: return x
        case let other?:
            problems.append(problem(key, "json.type", "`\(key)` must be a number, not \(other.typeName)"))
            return nil
        }
    }

    func bool(_ key: String, problems: inout [Problem]) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case let other?:
            problems.append(problem(key, "json.type", "`\(key)` must be true or false, not \(other.typeName)"))
            return nil
        }
    }

    func date(_ key: String, required: Bool = false, acceptQuarters: Bool = false, problems: inout [Problem]) -> String? {
        guard let text = string(key, required: required, problems: &problems) else { return nil }
        if let date = acceptQuarters ? CalendarDate.normalized(text) : (CalendarDate.isValid(text) ? text : nil) {
            return date
        }
        problems.append(problem(key, "json.date", "`\(text)` is not a calendar date",
                                hint: acceptQuarters ? "write YYYY-MM-DD, or a quarter as YYYY-Q1…Q4" : "write YYYY-MM-DD, e.g. 2025-01-01"))
        return nil
    }

    /// An object member (metadata, parameters); nil when absent or null.
    func object(_ key: String, problems: inout [Problem]) -> JSONObject? {
        switch object[key] {
        case nil, .null?: return nil
        case .object(let o)?: return o
        case let other?:
            problems.append(problem(key, "json.type", "`\(key)` must be an object, not \(other.typeName)"))
            return nil
        }
    }

    func array(_ key: String, problems: inout [Problem]) -> [JSONValue]? {
        switch object[key] {
        case nil, .null?: return nil
        case .array(let a)?: return a
        case let other?:
            problems.append(problem(key, "json.type", "`\(key)` must be an array, not \(other.typeName)"))
            return nil
        }
    }
}
