import CascadeFormula

// Parsed values carry no source offsets (that would make every value bigger): when a reader has
// problems to show and the text is at hand, each problem's JSON path is found again by re-scanning
// the text with the parser's own tokenizer. It costs one partial parse, paid only on failure.

extension JSONValue {
    /// The byte offset in `bytes` of the value at `path` — or of its key when `key` is true and the
    /// path ends in a key — or nil when `bytes` holds no such value (or is not valid JSON there).
    package static func offset(of path: JSONPath, key: Bool = false, in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var parser = JSONParser(bytes: bytes, limits: .default)
        parser.skipWhitespace()
        for (i, component) in path.components.enumerated() {
            let isLast = i == path.components.count - 1
            switch component {
            case .key(let wanted):
                guard parser.current == UInt8(ascii: "{") else { return nil }
                parser.position += 1
                while true {
                    parser.skipWhitespace()
                    guard parser.current == UInt8(ascii: "\"") else { return nil }
                    let keyStart = parser.position
                    guard let name = try? parser.parseString() else { return nil }
                    parser.skipWhitespace()
                    guard parser.current == UInt8(ascii: ":") else { return nil }
                    parser.position += 1
                    parser.skipWhitespace()
                    if name == wanted {
                        if isLast && key { return keyStart }
                        break
                    }
                    guard parser.skipValue(), parser.current == UInt8(ascii: ",") else { return nil }
                    parser.position += 1
                }
            case .index(let wanted):
                guard wanted >= 0, parser.current == UInt8(ascii: "[") else { return nil }
                parser.position += 1
                parser.skipWhitespace()
                if parser.current == UInt8(ascii: "]") { return nil }
                for _ in 0..<wanted {
                    guard parser.skipValue(), parser.current == UInt8(ascii: ",") else { return nil }
                    parser.position += 1
                    parser.skipWhitespace()
                }
            }
        }
        return parser.position < bytes.count ? parser.position : nil
    }

    /// `offset(of:key:in:)` over an array of bytes, as a 1-based line and column (columns count
    /// characters, as a syntax error's do).
    package static func lineColumn(of path: JSONPath, key: Bool = false, in bytes: [UInt8]) -> (line: Int, column: Int)? {
        bytes.withUnsafeBufferPointer { buffer in
            offset(of: path, key: key, in: buffer).map { JSONParser.lineColumn(of: $0, in: buffer) }
        }
    }
}

extension JSONParser {
    /// Steps over one value and the whitespace after it; false when the text is not valid there.
    mutating func skipValue() -> Bool {
        guard (try? parseValue(depth: 0)) != nil else { return false }
        skipWhitespace()
        return true
    }

    /// The 1-based line and column of byte `offset`: lines end at `\n`, columns count characters.
    static func lineColumn(of offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for i in 0..<min(offset, bytes.count) {
            if bytes[i] == 0x0A {
                line += 1
                column = 1
            } else if bytes[i] & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }
}
