import CascadeStore

extension ResultColumns {
    /// How `Writer.strings` laid out a column of strings (version 2).
    enum StringForm: UInt8 {
        case plain = 0, uuids = 1, dictionary = 2
    }

    /// Appends little-endian columns — a count, then the elements' bytes — to the current part,
    /// handing each part to `emit` when it holds `partBytes` bytes.
    struct Writer<Failure: Error> {
        let partBytes: Int
        let emit: ([UInt8]) throws(Failure) -> Void
        private var part: [UInt8] = []
        private var parts = 0

        init(partBytes: Int, emit: @escaping ([UInt8]) throws(Failure) -> Void) {
            self.partBytes = partBytes
            self.emit = emit
            if partBytes <= 64 << 20 { part.reserveCapacity(partBytes) }
        }

        mutating func bytes(_ data: UnsafeRawBufferPointer) throws(Failure) {
            var offset = 0
            while offset < data.count {
                let n = min(partBytes - part.count, data.count - offset)
                part.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[offset..<offset + n]))
                offset += n
                if part.count == partBytes { try flush() }
            }
        }

        private mutating func flush() throws(Failure) {
            try emit(part)
            parts += 1
            part.removeAll(keepingCapacity: true)
        }

        /// Emits the last part (the first, even if empty, when nothing was emitted yet).
        mutating func finish() throws(Failure) {
            if !part.isEmpty || parts == 0 { try flush() }
        }

        mutating func raw(_ data: [UInt8]) throws(Failure) {
            try data.span.bytes.withUnsafeBytes { (data) throws(Failure) in try bytes(data) }
        }

        mutating func count(_ value: Int) throws(Failure) {
            try word(UInt64(value))
        }

        /// A 64-bit value, little-endian.
        mutating func word(_ value: UInt64) throws(Failure) {
            try withUnsafeBytes(of: value.littleEndian) { (data) throws(Failure) in try bytes(data) }
        }

        /// Integers and doubles as their in-memory bytes (little-endian on every platform Swift targets here).
        mutating func column<T: BitwiseCopyable>(_ values: [T]) throws(Failure) {
            try count(values.count)
            try values.span.bytes.withUnsafeBytes { (data) throws(Failure) in try bytes(data) }
        }

        /// `n` values made one at a time by `element`, gathered 4 096 at a time: a column derived
        /// from another (flags, codes, narrowed integers) is never copied whole.
        mutating func column<T: BitwiseCopyable>(count n: Int, _ element: (Int) -> T) throws(Failure) {
            try count(n)
            var block: [T] = []
            block.reserveCapacity(min(n, 4_096))
            for i in 0..<n {
                block.append(element(i))
                if block.count == 4_096 {
                    try block.span.bytes.withUnsafeBytes { (data) throws(Failure) in try bytes(data) }
                    block.removeAll(keepingCapacity: true)
                }
            }
            try block.span.bytes.withUnsafeBytes { (data) throws(Failure) in try bytes(data) }
        }

        /// Booleans as bytes 0 and 1.
        mutating func flags(_ values: [Bool]) throws(Failure) {
            try column(count: values.count) { i in values[i] ? UInt8(1) : 0 }
        }

        /// Integers in the fewest bytes that hold all of them: a width (1, 2, 4 or 8), then the
        /// column of values truncated to it, which the reader sign-extends back.
        mutating func integers<T: FixedWidthInteger & SignedInteger & BitwiseCopyable>(_ values: [T]) throws(Failure) {
            var low: T = 0, high: T = 0
            for value in values {
                low = Swift.min(low, value)
                high = Swift.max(high, value)
            }
            func fits<N: FixedWidthInteger & SignedInteger>(_: N.Type) -> Bool { low >= N.min && high <= N.max }
            if fits(Int8.self) {
                try raw([1])
                try column(count: values.count) { i in Int8(truncatingIfNeeded: values[i]) }
            } else if fits(Int16.self) {
                try raw([2])
                try column(count: values.count) { i in Int16(truncatingIfNeeded: values[i]) }
            } else if fits(Int32.self) {
                try raw([4])
                try column(count: values.count) { i in Int32(truncatingIfNeeded: values[i]) }
            } else {
                try raw([8])
                try column(count: values.count) { i in Int64(values[i]) }
            }
        }

        /// A column of strings in the smallest of three forms, after a byte naming it:
        /// `StringForm.uuids` when at least half are 36 bytes long (entity and relationship ids),
        /// those that are not UUIDs listed after them; `.dictionary` when at most 256 differ and
        /// they repeat (entity types); otherwise `.plain`.
        mutating func strings(_ values: [String]) throws(Failure) {
            if values.count > 0, values.count(where: { $0.utf8.count == 36 }) >= values.count / 2 {
                try uuids(values)
            } else if let dictionary = Self.dictionary(values) {
                try raw([StringForm.dictionary.rawValue])
                try plainStrings(dictionary.distinct)
                try column(dictionary.codes)
            } else {
                try raw([StringForm.plain.rawValue])
                try plainStrings(values)
            }
        }

        /// What `strings(Array(ids))` writes, without making a string of a UUID: an id column
        /// of UUIDs only is already the UUID form's 16-byte column.
        mutating func ids(_ ids: IDColumn) throws(Failure) {
            guard ids.texts.isEmpty, !ids.isEmpty else { return try strings(Array(ids)) }
            try raw([StringForm.uuids.rawValue])
            try column(ids.bits)
            try integers([Int]())
            try plainStrings([])
        }

        /// Each string's 16 bytes (zeros for one that is not a lowercase 8-4-4-4-12 UUID), then
        /// the positions and text of those that are not.
        private mutating func uuids(_ values: [String]) throws(Failure) {
            try raw([StringForm.uuids.rawValue])
            var others: [Int] = []
            try column(count: values.count) { (i: Int) -> SIMD2<UInt64> in
                // A native string's bytes in place (a copy to call `withUTF8` retained each one).
                let parsed: (UInt64, UInt64)?
                if let inPlace = values[i].utf8.withContiguousStorageIfAvailable({ ContentHash.parseFormatted($0) }) {
                    parsed = inPlace
                } else {
                    var value = values[i]
                    parsed = value.withUTF8 { ContentHash.parseFormatted($0) }
                }
                if let bits = parsed { return SIMD2(bits.0, bits.1) }
                others.append(i)
                return SIMD2(0, 0)
            }
            try integers(others)
            try plainStrings(others.map { values[$0] })
        }

        /// The distinct strings, first seen first, and each string's code; nil past 256, or when
        /// the dictionary would save too little (more distinct strings than half the column).
        private static func dictionary(_ values: [String]) -> (distinct: [String], codes: [UInt8])? {
            var code: [String: UInt8] = [:], distinct: [String] = []
            var codes: [UInt8] = []
            codes.reserveCapacity(values.count)
            for value in values {
                if let known = code[value] {
                    codes.append(known)
                } else {
                    guard distinct.count < 256 else { return nil }
                    code[value] = UInt8(distinct.count)
                    codes.append(UInt8(distinct.count))
                    distinct.append(value)
                }
            }
            return distinct.count * 2 <= values.count ? (distinct, codes) : nil
        }

        /// UTF-8 lengths, then the text of every string (gathered 1 MiB at a time).
        mutating func plainStrings(_ values: [String]) throws(Failure) {
            try column(count: values.count) { i in Int32(values[i].utf8.count) }
            var text: [UInt8] = []
            text.reserveCapacity(1 << 20)
            for value in values {
                text.append(contentsOf: value.utf8)
                if text.count >= 1 << 20 {
                    try raw(text)
                    text.removeAll(keepingCapacity: true)
                }
            }
            try raw(text)
        }
    }
}
