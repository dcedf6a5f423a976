import CascadeFormula
import CascadeJSON

/// Reads the rows of a world file's `entities` and `relationships` arrays straight from its
/// bytes into typed fields, without building a `JSONValue` tree per row.
///
/// This is only a fast path. It accepts a row only when the row is well-formed JSON made of the
/// row's own keys, each once, with values of the expected JSON types; a row it cannot read that
/// way (an unknown key, a duplicate key, an escape in an id, a syntax error…) makes it return
/// nil, and the caller reads that row with the ordinary parser and decoder, which report every
/// problem with its path exactly as they would for the whole document. Whatever it accepts, the
/// ordinary parser would have read to the same values.
struct WorldScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: JSONLimits
    var position = 0
    /// Scratch for canonical metadata text.
    private var out: [UInt8] = []

    init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONLimits = .default) {
        self.bytes = bytes
        self.limits = limits
        out.reserveCapacity(256)
    }

    // MARK: - Bytes

    var atEnd: Bool { position >= bytes.count }

    /// The byte at `position`, or 0 past the end (0 never starts or ends a JSON token).
    @inline(__always) var current: UInt8 { position < bytes.count ? bytes[position] : 0 }

    @inline(__always) mutating func skipWhitespace() {
        while position < bytes.count {
            let c = bytes[position]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            position += 1
        }
    }

    /// Consumes `byte` (after whitespace) or returns false.
    @inline(__always) mutating func take(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard current == byte else { return false }
        position += 1
        return true
    }

    /// A string without escapes or control characters at `position` (which is at its opening
    /// quote): the range of its bytes, position moved past its closing quote. Nil otherwise
    /// (position unchanged).
    @inline(__always) mutating func plainStringRange() -> Range<Int>? {
        guard current == UInt8(ascii: "\"") else { return nil }
        let start = position + 1
        var end = start
        while end < bytes.count {
            let c = bytes[end]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
            end += 1
        }
        guard end < bytes.count, end - start <= limits.maxStringBytes else { return nil }
        position = end + 1
        return start..<end
    }

    func isASCII(_ range: Range<Int>) -> Bool {
        for i in range where bytes[i] >= 0x80 { return false }
        return true
    }

    /// The text of a plain string's bytes, or nil for invalid UTF-8.
    func text(_ range: Range<Int>) -> String? {
        let slice = UnsafeBufferPointer(rebasing: bytes[range])
        // ASCII is valid UTF-8: decoding it is validating it, without the generic validator's
        // per-call cost.
        if isASCII(range) { return String(decoding: slice, as: UTF8.self) }
        return String(validating: slice, as: UTF8.self)
    }

    func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        var j = 0
        for i in range {
            if bytes[i] != p[j] { return false }
            j += 1
        }
        return true
    }

    /// A field value that is a string or null: `.some(nil)` for null, nil for anything else.
    @inline(__always) mutating func stringOrNull() -> String?? {
        skipWhitespace()
        if current == UInt8(ascii: "n") { return literal("null") ? .some(nil) : nil }
        if let range = plainStringRange() {
            guard let s = text(range) else { return nil }
            return .some(s)
        }
        // A string with escapes: read by the ordinary parser (nil on any error).
        guard current == UInt8(ascii: "\""), let (value, end) = try? JSONValue.parseValue(in: bytes, at: position, path: .root, depth: 3, limits: limits),
              case .string(let s) = value else { return nil }
        position = end
        return .some(s)
    }

    mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let p = word.utf8Start
        for j in 0..<count where bytes[position + j] != p[j] { return false }
        position += count
        return true
    }

    /// A JSON number at `position`, read by the parser's own definition (`JSONNumber`); nil
    /// (position unchanged) when it is not one. `plainInteger` says whether its text is an
    /// integer without sign, fraction or exponent, short enough to be exact.
    mutating func number() -> (value: Double, text: Range<Int>, plainInteger: Bool)? {
        guard case .number(let value, let end) = JSONNumber.scan(bytes, at: position) else { return nil }
        let text = position..<end
        position = end
        var plain = text.count <= 15
        for i in text where plain && !(bytes[i] >= 0x30 && bytes[i] <= 0x39) { plain = false }
        return (value, text, plain)
    }

    /// A field value that is a number or null: `.some(nil)` for null, nil for anything else.
    @inline(__always) mutating func numberOrNull() -> Double?? {
        skipWhitespace()
        if current == UInt8(ascii: "n") { return literal("null") ? .some(nil) : nil }
        guard let (value, _, _) = number() else { return nil }
        return .some(value)
    }

    // MARK: - Canonical metadata

    /// What a copied value was, for the few checks made on metadata members.
    enum Kind {
        case string(String?)  // the text for a top-level member's string value
        case object(allStrings: Bool)
        case other
    }

    /// Copies the value at `position` to `out` exactly as `JSONValue.serialized()` would write
    /// the parsed value. Nil when the value is not plainly readable (the caller falls back).
    mutating func copyCanonical(depth: Int, wantText: Bool) -> Kind? {
        skipWhitespace()
        let c = current
        switch c {
        case UInt8(ascii: "\""):
            let quote = position
            if let range = plainStringRange() {
                // JSNumber.quoted copies text without quotes, backslashes, controls or 0xE2
                // (the lead byte of U+2028 and U+2029) unchanged; the rest is quoted below.
                var ascii = true
                var e2 = false
                for i in range {
                    let b = bytes[i]
                    if b >= 0x80 { ascii = false }
                    if b == 0xE2 { e2 = true }
                }
                if !e2 {
                    if !ascii && text(range) == nil { return nil }
                    out.append(UInt8(ascii: "\""))
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
                    out.append(UInt8(ascii: "\""))
                    return .string(wantText ? text(range) : nil)
                }
                position = quote
            }
            guard let (value, end) = try? JSONValue.parseValue(in: bytes, at: position, path: .root, depth: depth, limits: limits),
                  case .string(let s) = value else { return nil }
            position = end
            out.append(contentsOf: JSNumber.quoted(s).utf8)
            return .string(wantText ? s : nil)
        case UInt8(ascii: "{"):
            guard depth + 1 <= limits.maxDepth else { return nil }
            position += 1
            out.append(UInt8(ascii: "{"))
            if take(UInt8(ascii: "}")) {
                out.append(UInt8(ascii: "}"))
                return .object(allStrings: true)
            }
            var keys: [Range<Int>] = []
            var allStrings = true
            while true {
                skipWhitespace()
                guard let key = plainStringRange(), isASCII(key) || text(key) != nil else { return nil }
                for k in keys where k.count == key.count && bytes[k].elementsEqual(bytes[key]) { return nil }
                keys.append(key)
                guard take(UInt8(ascii: ":")) else { return nil }
                if keys.count > 1 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "\""))
                if bytes[key].contains(0xE2) { return nil }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[key]))
                out.append(UInt8(ascii: "\""))
                out.append(UInt8(ascii: ":"))
                guard let kind = copyCanonical(depth: depth + 1, wantText: false) else { return nil }
                if case .string = kind {} else { allStrings = false }
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    position += 1
                } else if current == UInt8(ascii: "}") {
                    position += 1
                    out.append(UInt8(ascii: "}"))
                    return .object(allStrings: allStrings)
                } else {
                    return nil
                }
            }
        case UInt8(ascii: "["):
            guard depth + 1 <= limits.maxDepth else { return nil }
            position += 1
            out.append(UInt8(ascii: "["))
            if take(UInt8(ascii: "]")) {
                out.append(UInt8(ascii: "]"))
                return .other
            }
            var first = true
            while true {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                guard copyCanonical(depth: depth + 1, wantText: false) != nil else { return nil }
                skipWhitespace()
                if current == UInt8(ascii: ",") {
                    position += 1
                } else if current == UInt8(ascii: "]") {
                    position += 1
                    out.append(UInt8(ascii: "]"))
                    return .other
                } else {
                    return nil
                }
            }
        case UInt8(ascii: "t"):
            guard literal("true") else { return nil }
            out.append(contentsOf: "true".utf8)
            return .other
        case UInt8(ascii: "f"):
            guard literal("false") else { return nil }
            out.append(contentsOf: "false".utf8)
            return .other
        case UInt8(ascii: "n"):
            guard literal("null") else { return nil }
            out.append(contentsOf: "null".utf8)
            return .other
        default:
            guard let (value, range, plainInteger) = number() else { return nil }
            if plainInteger {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
            } else {
                out.append(contentsOf: JSNumber.format(value).utf8)
            }
            return .other
        }
    }

    /// The `metadata` member of a row: null, or an object copied canonically, with what its
    /// `formula` and `bindings` members were (relationships check them). Nil for anything else.
    mutating func metadata() -> (text: String?, formula: Kind?, bindings: Kind?)? {
        skipWhitespace()
        if current == UInt8(ascii: "n") { return literal("null") ? (nil, nil, nil) : nil }
        guard current == UInt8(ascii: "{") else { return nil }
        // Top-level members are read here so `formula` and `bindings` can be seen; nested values
        // by `copyCanonical` (at the parser's depth for them: a row's metadata members are at 4).
        position += 1
        out.removeAll(keepingCapacity: true)
        out.append(UInt8(ascii: "{"))
        var formula: Kind?
        var bindings: Kind?
        if take(UInt8(ascii: "}")) {
            return ("{}", nil, nil)
        }
        var keys: [Range<Int>] = []
        while true {
            skipWhitespace()
            guard let key = plainStringRange(), isASCII(key) || text(key) != nil else { return nil }
            for k in keys where k.count == key.count && bytes[k].elementsEqual(bytes[key]) { return nil }
            keys.append(key)
            guard take(UInt8(ascii: ":")) else { return nil }
            if keys.count > 1 { out.append(UInt8(ascii: ",")) }
            if bytes[key].contains(0xE2) { return nil }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[key]))
            out.append(UInt8(ascii: "\""))
            out.append(UInt8(ascii: ":"))
            let isFormula = equals(key, "formula")
            guard let kind = copyCanonical(depth: 4, wantText: isFormula) else { return nil }
            if isFormula { formula = kind } else if equals(key, "bindings") { bindings = kind }
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
            } else if current == UInt8(ascii: "}") {
                position += 1
                out.append(UInt8(ascii: "}"))
                return (String(decoding: out, as: UTF8.self), formula, bindings)
            } else {
                return nil
            }
        }
    }

    // MARK: - Rows

    /// The row at `position` read by the ordinary parser (an element of a top-level array),
    /// throwing its error with the row's path.
    mutating func parseRow(path: JSONPath) throws(JSONError) -> JSONValue {
        let (value, end) = try JSONValue.parseValue(in: bytes, at: position, path: path, depth: 2, limits: limits)
        position = end
        return value
    }

    /// An entity row's fields as the file gives them (nil: absent or null).
    struct Entity {
        var id: String?
        var type: String?
        var name: String?
        var description: String?
        var category: String?
        var level: Double?
        var metadata: String?
    }

    /// Reads the entity object at `position`; nil (position anywhere) when it is not plainly
    /// readable. The caller checks the values.
    mutating func entity() -> Entity? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var e = Entity()
        var seen: UInt8 = 0
        if take(UInt8(ascii: "}")) { return e }
        while true {
            skipWhitespace()
            guard let key = plainStringRange(), take(UInt8(ascii: ":")) else { return nil }
            let field: UInt8
            switch key.count {
            case 2 where equals(key, "id"):
                field = 0
                guard let v = stringOrNull() else { return nil }
                e.id = v
            case 4 where equals(key, "type"):
                field = 1
                guard let v = stringOrNull() else { return nil }
                e.type = v
            case 4 where equals(key, "name"):
                field = 2
                guard let v = stringOrNull() else { return nil }
                e.name = v
            case 11 where equals(key, "description"):
                field = 3
                guard let v = stringOrNull() else { return nil }
                e.description = v
            case 8 where equals(key, "category"):
                field = 4
                guard let v = stringOrNull() else { return nil }
                e.category = v
            case 14 where equals(key, "ontology_level"):
                field = 5
                guard let v = numberOrNull() else { return nil }
                e.level = v
            case 8 where equals(key, "metadata"):
                field = 6
                guard let v = metadata() else { return nil }
                e.metadata = v.text
            default:
                return nil
            }
            guard seen & (1 << field) == 0 else { return nil }
            seen |= 1 << field
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
            } else if current == UInt8(ascii: "}") {
                position += 1
                return e
            } else {
                return nil
            }
        }
    }

    /// A relationship row's fields as the file gives them (nil: absent or null).
    struct Relationship {
        var id: String?
        var source: String?
        var target: String?
        var type: String?
        var weight: Double?
        var formula: String?
        var metadata: String?
        /// What `metadata.formula` and `metadata.bindings` were, when present.
        var metadataFormula: Kind?
        var metadataBindings: Kind?
    }

    /// Reads the relationship object at `position`; nil (position anywhere) when it is not
    /// plainly readable. The caller checks the values.
    mutating func relationship() -> Relationship? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var r = Relationship()
        var seen: UInt8 = 0
        if take(UInt8(ascii: "}")) { return r }
        while true {
            skipWhitespace()
            guard let key = plainStringRange(), take(UInt8(ascii: ":")) else { return nil }
            let field: UInt8
            switch key.count {
            case 2 where equals(key, "id"):
                field = 0
                guard let v = stringOrNull() else { return nil }
                r.id = v
            case 16 where equals(key, "source_entity_id"):
                field = 1
                guard let v = stringOrNull() else { return nil }
                r.source = v
            case 16 where equals(key, "target_entity_id"):
                field = 2
                guard let v = stringOrNull() else { return nil }
                r.target = v
            case 4 where equals(key, "type"):
                field = 3
                guard let v = stringOrNull() else { return nil }
                r.type = v
            case 6 where equals(key, "weight"):
                field = 4
                guard let v = numberOrNull() else { return nil }
                r.weight = v
            case 14 where equals(key, "impact_formula"):
                field = 5
                guard let v = stringOrNull() else { return nil }
                r.formula = v
            case 8 where equals(key, "metadata"):
                field = 6
                guard let v = metadata() else { return nil }
                r.metadata = v.text
                r.metadataFormula = v.formula
                r.metadataBindings = v.bindings
            default:
                return nil
            }
            guard seen & (1 << field) == 0 else { return nil }
            seen |= 1 << field
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
            } else if current == UInt8(ascii: "}") {
                position += 1
                return r
            } else {
                return nil
            }
        }
    }
}
