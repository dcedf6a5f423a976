import CascadeStore

extension ResultColumns {
    /// Reads what `Writer` wrote, refusing any count that runs past the end.
    struct Reader {
        let bytes: [UInt8]
        private(set) var offset = 0
        /// The document's version, from its magic: 1 had only plain strings and full-width integers.
        var version = 3
        var isAtEnd: Bool { offset == bytes.count }

        init(bytes: [UInt8]) { self.bytes = bytes }

        /// Whether the bytes at the offset are `prefix`.
        func startsWith(_ prefix: [UInt8]) -> Bool {
            bytes.count - offset >= prefix.count && bytes[offset..<offset + prefix.count].elementsEqual(prefix)
        }

        mutating func raw(_ length: Int) throws(DecodingError) -> [UInt8] {
            guard length >= 0, length <= bytes.count - offset else { throw DecodingError(message: "it ends early") }
            defer { offset += length }
            return Array(bytes[offset..<offset + length])
        }

        /// What `Writer.word` wrote.
        mutating func word() throws(DecodingError) -> UInt64 {
            let raw = try raw(8)
            var value: UInt64 = 0
            for (k, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(k)) }
            return value
        }

        mutating func count() throws(DecodingError) -> Int {
            let value = try word()
            guard value <= UInt64(bytes.count) else { throw DecodingError(message: "a column longer than the document") }
            return Int(value)
        }

        mutating func column<T: BitwiseCopyable>() throws(DecodingError) -> [T] {
            let n = try count()
            let size = MemoryLayout<T>.stride
            guard n <= (bytes.count - offset) / size else { throw DecodingError(message: "it ends early") }
            let values = [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                bytes.withUnsafeBytes { source in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + n * size]))
                }
                initialized = n
            }
            offset += n * size
            return values
        }

        /// What `Writer.integers` wrote (in version 1, `Writer.column`).
        mutating func integers<T: FixedWidthInteger & SignedInteger & BitwiseCopyable>() throws(DecodingError) -> [T] {
            guard version >= 2 else { return try column() }
            let width = try raw(1)[0]
            func widened<N: FixedWidthInteger & SignedInteger & BitwiseCopyable>(_: N.Type) throws(DecodingError) -> [T] {
                let narrow: [N] = try column()
                return narrow.map { T(truncatingIfNeeded: $0) }
            }
            switch width {
            case 1: return try widened(Int8.self)
            case 2: return try widened(Int16.self)
            case 4: return try widened(Int32.self)
            case 8: return try widened(Int64.self)
            default: throw DecodingError(message: "an integer column of width \(width)")
            }
        }

        /// What `Writer.ids` wrote: the UUID form straight into an `IDColumn` (no string made for
        /// a UUID), any other as strings.
        mutating func ids() throws(DecodingError) -> IDColumn {
            guard version >= 2, offset < bytes.count, StringForm(rawValue: bytes[offset]) == .uuids else { return IDColumn(try strings()) }
            offset += 1
            let bits: [SIMD2<UInt64>] = try column()
            let (others, texts) = try listedStrings(count: bits.count)
            var listed: [Int: String] = Dictionary(uniqueKeysWithValues: zip(others, texts))
            // A text is kept for every zero: a listed id, or the all-zero UUID itself.
            for (position, value) in bits.enumerated() where value == .zero && listed[position] == nil {
                listed[position] = ContentHash.format((0, 0))
            }
            for position in others where bits[position] != .zero {
                throw DecodingError(message: "a listed string where a UUID is")
            }
            return IDColumn(bits: bits, texts: listed)
        }

        /// The positions and texts of the strings the UUID form lists beside the UUIDs.
        private mutating func listedStrings(count: Int) throws(DecodingError) -> (positions: [Int], texts: [String]) {
            let others: [Int] = try integers(), texts = try plainStrings()
            guard others.count == texts.count else { throw DecodingError(message: "listed strings without their texts") }
            for position in others where position < 0 || position >= count {
                throw DecodingError(message: "a listed string out of range")
            }
            guard Set(others).count == others.count else { throw DecodingError(message: "a string listed twice") }
            return (others, texts)
        }

        /// What `Writer.strings` wrote (in version 1, `Writer.plainStrings`).
        mutating func strings() throws(DecodingError) -> [String] {
            guard version >= 2 else { return try plainStrings() }
            let form = try raw(1)[0]
            switch StringForm(rawValue: form) {
            case .plain: return try plainStrings()
            case .dictionary:
                let distinct = try plainStrings()
                let codes: [UInt8] = try column()
                for code in codes where Int(code) >= distinct.count { throw DecodingError(message: "a string code out of range") }
                return codes.map { distinct[Int($0)] }
            case .uuids:
                let bits: [SIMD2<UInt64>] = try column()
                var values = bits.map { ContentHash.format(($0.x, $0.y)) }
                let (others, texts) = try listedStrings(count: values.count)
                for (position, text) in zip(others, texts) { values[position] = text }
                return values
            case nil: throw DecodingError(message: "an unknown form of strings")
            }
        }

        mutating func plainStrings() throws(DecodingError) -> [String] {
            let lengths: [Int32] = try column()
            var values: [String] = []
            values.reserveCapacity(lengths.count)
            for length in lengths {
                guard length >= 0, Int(length) <= bytes.count - offset else { throw DecodingError(message: "it ends early") }
                values.append(String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self))
                offset += Int(length)
            }
            return values
        }
    }
}
