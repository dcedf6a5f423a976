import CascadeFormula

extension JSONValue {
    /// Parses a complete JSON document (RFC 8259), strictly: no comments, no trailing commas, no
    /// duplicate keys, no NaN or Infinity, no numbers out of double range, valid UTF-8 only.
    package static func parse(_ text: String, limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        try parse(bytes: Array(text.utf8), limits: limits)
    }

    /// Parses a complete JSON document from UTF-8 bytes.
    package static func parse(bytes: UnsafeBufferPointer<UInt8>, limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, limits: limits)
        if bytes.count > limits.maxBytes {
            throw parser.error("document is \(bytes.count) bytes; the limit is \(limits.maxBytes)")
        }
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.position < bytes.count {
            throw parser.error("unexpected text after the JSON value")
        }
        return value
    }

    /// Parses the one value that starts at `offset` inside a larger document `bytes`, exactly as
    /// `parse` reads it there: `path` and `depth` are the value's place in the document (the
    /// elements of a top-level array are at depth 2), and an error's line and column count from
    /// the start of `bytes`. Returns the value and the offset just after it.
    package static func parseValue(
        in bytes: UnsafeBufferPointer<UInt8>, at offset: Int, path: JSONPath, depth: Int, limits: JSONLimits = .default
    ) throws(JSONError) -> (value: JSONValue, end: Int) {
        var parser = JSONParser(bytes: bytes, limits: limits)
        parser.position = offset
        parser.path = path
        let value = try parser.parseValue(depth: depth)
        return (value, parser.position)
    }

    /// Parses a complete JSON document from bytes.
    package static func parse(bytes: [UInt8], limits: JSONLimits = .default) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> JSONValue in
            try parse(bytes: buffer, limits: limits)
        }
    }
}

/// A recursive-descent JSON reader over a byte buffer that tracks the path being read.
struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: JSONLimits
    var position = 0
    var path = JSONPath.root

    init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    func error(_ message: String, at offset: Int? = nil) -> JSONError {
        let (line, column) = Self.lineColumn(of: offset ?? position, in: bytes)
        return JSONError(message, line: line, column: column, path: path)
    }

    var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { position += 1 }
    }

    mutating func expect(_ literal: StaticString, value: JSONValue) throws(JSONError) -> JSONValue {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        guard position + count <= bytes.count,
              (0..<count).allSatisfy({ bytes[position + $0] == start[$0] }) else {
            throw error("invalid literal; expected `\(literal)`")
        }
        position += count
        return value
    }

    mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard let c = current else { throw error("unexpected end of document; expected a value") }
        switch c {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", value: .bool(true))
        case UInt8(ascii: "f"): return try expect("false", value: .bool(false))
        case UInt8(ascii: "n"): return try expect("null", value: .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw error("NaN and Infinity are not JSON numbers; values must be finite")
        default:
            throw error("unexpected character `\(Character(Unicode.Scalar(c)))`; expected a value")
        }
    }

    mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        if depth > limits.maxDepth { throw error("nesting deeper than \(limits.maxDepth) levels") }
        position += 1
        var object = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        let parentPath = path
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
            let keyStart = position
            let key = try parseString()
            if object[key] != nil {
                throw error("duplicate key \(JSNumber.quoted(key))", at: keyStart)
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw error("expected `:` after the key") }
            position += 1
            skipWhitespace()
            path = parentPath.appending(key)
            let value = try parseValue(depth: depth)
            path = parentPath
            object[key] = value
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(object)
            default: throw error("expected `,` or `}` in object")
            }
        }
    }

    mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        if depth > limits.maxDepth { throw error("nesting deeper than \(limits.maxDepth) levels") }
        position += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(array)
        }
        let parentPath = path
        while true {
            skipWhitespace()
            path = parentPath.appending(array.count)
            array.append(try parseValue(depth: depth))
            path = parentPath
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(array)
            default: throw error("expected `,` or `]` in array")
            }
        }
    }

    mutating func parseNumber() throws(JSONError) -> Double {
        switch JSONNumber.scan(bytes, at: position) {
        case .number(let value, let end):
            position = end
            return value
        case .invalid(let message, let offset):
            throw error(message, at: offset)
        }
    }

    mutating func parseString() throws(JSONError) -> String {
        let start = position
        position += 1
        // Most strings have no escapes: take the bytes up to the closing quote in one piece.
        var end = position
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            end += 1
        }
        if end < bytes.count, bytes[end] == UInt8(ascii: "\""), end - position <= limits.maxStringBytes,
           let text = String(validating: UnsafeBufferPointer(rebasing: bytes[position..<end]), as: UTF8.self) {
            position = end + 1
            return text
        }
        var scalars = String.UnicodeScalarView()
        var length = 0
        while true {
            guard let c = current else { throw error("unterminated string", at: start) }
            if length > limits.maxStringBytes {
                throw error("string longer than \(limits.maxStringBytes) bytes", at: start)
            }
            switch c {
            case UInt8(ascii: "\""):
                position += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                position += 1
                guard let e = current else { throw error("unterminated string", at: start) }
                position += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard current == UInt8(ascii: "\\"), position + 1 < bytes.count,
                              bytes[position + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    scalars.append(Unicode.Scalar(code)!)
                default: throw error("invalid escape `\\\(Character(Unicode.Scalar(e)))`")
                }
                length += 1
            case 0..<0x20:
                throw error("control character in string; escape it (\\n, \\t, \\u00XX)")
            case 0..<0x80:
                scalars.append(Unicode.Scalar(c))
                position += 1
                length += 1
            default:
                let scalar = try decodeUTF8Scalar()
                scalars.append(scalar)
                length += 4
            }
        }
    }

    mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("expected 4 hex digits in \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[position]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("expected 4 hex digits in \\u escape")
            }
            value = value * 16 + d
            position += 1
        }
        return value
    }

    mutating func decodeUTF8Scalar() throws(JSONError) -> Unicode.Scalar {
        guard let (value, length) = UTF8Decoding.scalar(in: bytes, at: position), let scalar = Unicode.Scalar(value) else {
            throw error("invalid UTF-8")
        }
        position += length
        return scalar
    }
}
