import CascadeFormula

/// The one reader of JSON documents and request bodies: typed fields out of an object, with a
/// `Problem` (its JSON path, a stable code, a message and a hint) recorded for every missing,
/// mistyped, out-of-range or unknown member — never stopping at the first — so a user can fix
/// them all at once. Every document (world files, formula documents, scenarios, what-if changes,
/// backtest specs, A/B requests, eval requests, server bodies) is read through it.
///
/// A reader only collects: the caller decides, once everything is read, whether the problems it
/// gathered refuse the document (nothing partial is ever written).
package struct JSONReader {
    package let object: JSONObject
    package let path: JSONPath
    /// The file the document came from, printed before the path (`world.json: $.entities[3].id`).
    package let file: String?

    /// A reader of `value`, or nil (with a `json.type` problem) when it is not an object.
    /// `what` names the value in that problem: "a scenario", "the body".
    package init?(_ value: JSONValue, at path: JSONPath = .root, file: String? = nil, what: String, problems: inout [Problem]) {
        guard case .object(let object) = value else {
            problems.append(Problem(path: Self.place(file, path), code: "json.type",
                                    message: "\(what) must be an object, not \(value.typeName)"))
            return nil
        }
        self.object = object
        self.path = path
        self.file = file
    }

    /// The one location format: the JSON path, after the file name when there is one.
    package static func place(_ file: String?, _ path: JSONPath) -> String {
        file.map { "\($0): \(path)" } ?? path.description
    }

    package func place(_ key: String) -> String { Self.place(file, path.appending(key)) }

    /// A problem at member `key` of this object.
    package func problem(_ key: String, _ code: String, _ message: String, hint: String? = nil) -> Problem {
        Problem(path: place(key), code: code, message: message, hint: hint)
    }

    /// A problem at this object itself.
    package func problemHere(_ code: String, _ message: String, hint: String? = nil) -> Problem {
        Problem(path: Self.place(file, path), code: code, message: message, hint: hint)
    }

    /// A reader of member `key`, which must be an object when present (nil when absent or null).
    package func nested(_ key: String, what: String, problems: inout [Problem]) -> JSONReader? {
        guard let value = object[key], value != .null else { return nil }
        return JSONReader(value, at: path.appending(key), file: file, what: what, problems: &problems)
    }

    /// Members not in `known` are errors: a misspelt key must not be silently ignored. The hint
    /// names the nearest known key (`did you mean …?`) and lists them all; the suggestion is said
    /// once, in the hint (every rendering of a `Problem` shows its hint).
    /// `what` names the members in the message and hint (`unknown level setting `dampin``).
    /// `example` ends the hint (`a value with its unit is {"value": 2.5, "unit": "%"}`).
    package func rejectUnknownKeys(_ known: Set<String>, what: String = "key", example: String? = nil, problems: inout [Problem]) {
        let sorted = known.sorted()
        for key in object.keys where !known.contains(key) {
            let list = "known \(what)s: " + sorted.joined(separator: ", ") + (example.map { "; \($0)" } ?? "")
            let suggestion = Self.didYouMean(key, among: sorted)
            let hint = suggestion.map { "\($0) \(list)" } ?? list
            problems.append(problem(key, "json.unknown-key", "unknown \(what) `\(key)`", hint: hint))
        }
    }

    /// `did you mean `x`?` for the candidate nearest to a misspelt name, if one is near enough.
    package static func didYouMean(_ name: String, among candidates: some Sequence<String>) -> String? {
        Suggestion.closest(to: name, among: candidates).map { "did you mean `\($0)`?" }
    }

    /// Whether member `key` is present and not null.
    package func has(_ key: String) -> Bool {
        if let value = object[key], value != .null { return true }
        return false
    }

    package func string(_ key: String, required: Bool = false, maxLength: Int? = nil, problems: inout [Problem]) -> String? {
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

    package func number(_ key: String, required: Bool = false, problems: inout [Problem]) -> Double? {
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

    /// A whole number in `range` (a `json.range` problem otherwise).
    package func integer(_ key: String, required: Bool = false, in range: ClosedRange<Int>, problems: inout [Problem]) -> Int? {
        guard let x = number(key, required: required, problems: &problems) else { return nil }
        guard x == x.rounded(), x >= Double(range.lowerBound), x <= Double(range.upperBound) else {
            problems.append(problem(key, "json.range", "`\(key)` must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(JSNumber.format(x))"))
            return nil
        }
        return Int(x)
    }

    package func bool(_ key: String, required: Bool = false, problems: inout [Problem]) -> Bool? {
        switch object[key] {
        case nil, .null?:
            if required { problems.append(problem(key, "json.missing", "`\(key)` is required")) }
            return nil
        case .bool(let b)?: return b
        case let other?:
            problems.append(problem(key, "json.type", "`\(key)` must be true or false, not \(other.typeName)"))
            return nil
        }
    }

    /// One of `choices` (a `json.choice` problem with the nearest choice otherwise).
    package func choice(_ key: String, required: Bool = false, among choices: [String], problems: inout [Problem]) -> String? {
        guard let text = string(key, required: required, problems: &problems) else { return nil }
        guard choices.contains(text) else {
            let list = "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", ")
            problems.append(problem(key, "json.choice", "unknown \(key) `\(text)`",
                                    hint: Self.didYouMean(text, among: choices).map { "\($0) \(list)" } ?? list))
            return nil
        }
        return text
    }

    /// An object member (metadata, parameters); nil when absent or null.
    package func object(_ key: String, required: Bool = false, problems: inout [Problem]) -> JSONObject? {
        switch object[key] {
        case nil, .null?:
            if required { problems.append(problem(key, "json.missing", "`\(key)` is required")) }
            return nil
        case .object(let o)?: return o
        case let other?:
            problems.append(problem(key, "json.type", "`\(key)` must be an object, not \(other.typeName)"))
            return nil
        }
    }

    package func array(_ key: String, required: Bool = false, problems: inout [Problem]) -> [JSONValue]? {
        switch object[key] {
        case nil, .null?:
            if required { problems.append(problem(key, "json.missing", "`\(key)` is required")) }
            return nil
        case .array(let a)?: return a
        case let other?:
            problems.append(problem(key, "json.type", "`\(key)` must be an array, not \(other.typeName)"))
            return nil
        }
    }
}
