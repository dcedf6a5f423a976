/// A half-open range of UTF-8 byte offsets into a formula's source text.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    /// The offset of the first byte.
    public var start: Int
    /// The offset one past the last byte.
    public var end: Int

    /// Creates a range; `end` is clamped to be no smaller than `start`.
    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(min(start, other.start), max(end, other.end))
    }

    public var description: String { "\(start)..<\(end)" }
}

/// A one-based line and column; the column counts Unicode scalars, as editors do.
public struct SourceLocation: Hashable, Sendable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The line and column of a byte offset in `source` (offsets past the end clamp to the end).
    public init(offset: Int, in source: String) {
        var line = 1
        var column = 1
        var index = 0
        let utf8 = source.utf8
        var iterator = utf8.makeIterator()
        let limit = min(offset, utf8.count)
        while index < limit, let byte = iterator.next() {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // Count the first byte of each scalar; continuation bytes do not move the column.
                column += 1
            }
            index += 1
        }
        self.line = line
        self.column = column
    }
}
