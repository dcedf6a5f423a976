import CascadeFormula

/// A JSON document value. Objects keep their keys in document order; numbers are doubles.
package enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short name of the value's JSON type, for error messages.
    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    package var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    package var numberValue: Double? { if case .number(let x) = self { x } else { nil } }
    package var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    package var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    package var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    package var isNull: Bool { self == .null }

    /// The member `key` of an object, or nil for a missing key or a non-object.
    package subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// A JSON object: key/value pairs in document order, keys unique.
///
/// Keys are compared as JavaScript compares them, code unit by code unit: `"é"` and `"e\u{301}"`
/// are two keys (Swift's `String ==` would call them equal). The one canonical key order, used
/// wherever a canonical form is hashed or stored, is UTF-8 byte order (`canonicalOrder`).
///
/// Small objects (most of them) are searched linearly; past `indexThreshold` keys a dictionary
/// index keeps lookups (and the parser's duplicate-key check) constant-time.
package struct JSONObject: Hashable, Sendable, Sequence {
    package private(set) var pairs: [(key: String, value: JSONValue)] = []
    private var index: [ExactKey: Int]?

    /// A key hashed and compared by its bytes, not by Unicode canonical equivalence.
    private struct ExactKey: Hashable {
        let text: String
        static func == (lhs: ExactKey, rhs: ExactKey) -> Bool { lhs.text.utf8.elementsEqual(rhs.text.utf8) }
        func hash(into hasher: inout Hasher) {
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }

    /// The canonical key order: UTF-8 bytes, lexicographically (JSONB-independent, locale-free).
    package static func canonicalOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// The same pairs in canonical key order.
    package func sortedCanonically() -> JSONObject {
        var sorted = JSONObject()
        sorted.pairs = pairs.sorted { JSONObject.canonicalOrder($0.key, $1.key) }
        sorted.rebuildIndex()
        return sorted
    }

    static let indexThreshold = 16

    package init() {}

    /// Creates an object from pairs; a later duplicate key replaces the earlier value.
    package init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    package var keys: [String] { pairs.map(\.key) }
    package var count: Int { pairs.count }
    package var isEmpty: Bool { pairs.isEmpty }

    private func position(of key: String) -> Int? {
        if let index { return index[ExactKey(text: key)] }
        return pairs.firstIndex { $0.key.utf8.elementsEqual(key.utf8) }
    }

    private mutating func rebuildIndex() {
        index = pairs.count > JSONObject.indexThreshold
            ? Dictionary(uniqueKeysWithValues: pairs.enumerated().map { (ExactKey(text: $1.key), $0) }) : nil
    }

    package subscript(key: String) -> JSONValue? {
        get { position(of: key).map { pairs[$0].value } }
        set {
            if let position = position(of: key) {
                if let newValue {
                    pairs[position].value = newValue
                } else {
                    pairs.remove(at: position)
                    rebuildIndex()
                }
            } else if let newValue {
                pairs.append((key, newValue))
                if index != nil {
                    index![ExactKey(text: key)] = pairs.count - 1
                } else if pairs.count > JSONObject.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    package func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> {
        pairs.makeIterator()
    }

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.pairs.count == rhs.pairs.count
            && zip(lhs.pairs, rhs.pairs).allSatisfy { $0.key.utf8.elementsEqual($1.key.utf8) && $0.value == $1.value }
    }

    package func hash(into hasher: inout Hasher) {
        for (key, value) in pairs {
            for byte in key.utf8 { hasher.combine(byte) }
            hasher.combine(value)
        }
    }
}

/// A location inside a JSON document, printed as `$.relationships[3].weight`.
package struct JSONPath: Hashable, Sendable, CustomStringConvertible {
    package enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    package private(set) var components: [Component] = []

    package static let root = JSONPath()

    package init(_ components: [Component] = []) { self.components = components }

    package func appending(_ key: String) -> JSONPath { JSONPath(components + [.key(key)]) }
    package func appending(_ index: Int) -> JSONPath { JSONPath(components + [.index(index)]) }
    /// The path of the array or object this one is in (the root is its own parent).
    package var parent: JSONPath { JSONPath(Array(components.dropLast())) }

    /// Reads a path back from its `description` (`$.a[2]["b c"]`); nil when `text` is not one.
    package init?(parsing text: String) {
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "$") else { return nil }
        var i = 1
        var components: [Component] = []
        func isPlain(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
        }
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: ".") {
                let start = i + 1
                i = start
                while i < bytes.count, isPlain(bytes[i]) { i += 1 }
                guard i > start else { return nil }
                components.append(.key(String(decoding: bytes[start..<i], as: UTF8.self)))
            } else if bytes[i] == UInt8(ascii: "["), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                // A quoted key is a JSON string: find its closing quote, then let the parser read it.
                var end = i + 2
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                guard end + 1 < bytes.count, bytes[end + 1] == UInt8(ascii: "]"),
                      case .string(let key)? = try? JSONValue.parse(bytes: Array(bytes[(i + 1)...end])) else { return nil }
                components.append(.key(key))
                i = end + 2
            } else if bytes[i] == UInt8(ascii: "[") {
                let start = i + 1
                i = start
                while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
                guard i > start, i - start < 10, i < bytes.count, bytes[i] == UInt8(ascii: "]"),
                      let index = Int(String(decoding: bytes[start..<i], as: UTF8.self)) else { return nil }
                components.append(.index(index))
                i += 1
            } else {
                return nil
            }
        }
        self.components = components
    }

    package var description: String {
        var out = "$"
        for component in components {
            switch component {
            case .index(let i): out += "[\(i)]"
            case .key(let k):
                let isPlain = !k.isEmpty && k.utf8.allSatisfy {
                    ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F
                } && !(k.utf8.first! >= 0x30 && k.utf8.first! <= 0x39)
                out += isPlain ? ".\(k)" : "[\(JSNumber.quoted(k))]"
            }
        }
        return out
    }
}

extension JSONValue {
    /// Converts a formula value to JSON (`undefined` becomes `null`; callers that care print `type`).
    package init(_ value: Value) {
        switch value {
        case .number(let x): self = .number(x)
        case .boolean(let b): self = .bool(b)
        case .string(let s): self = .string(s)
        case .null, .undefined: self = .null
        case .record(let fields):
            self = .object(JSONObject(fields.sorted { JSONObject.canonicalOrder($0.key, $1.key) }.map { ($0.key, JSONValue($0.value)) }))
        }
    }
}

extension JSONValue {
    /// The same value with every object's keys in byte order: the canonical form (PostgreSQL's
    /// JSONB, for one, does not keep key order, so documents read back are compared in this form).
    package func withSortedKeys() -> JSONValue {
        switch self {
        case .array(let items): .array(items.map { $0.withSortedKeys() })
        case .object(let object):
            .object(JSONObject(object.sortedCanonically().pairs.map { ($0.key, $0.value.withSortedKeys()) }))
        default: self
        }
    }
}
