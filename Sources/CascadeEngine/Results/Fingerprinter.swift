import CXXHash

/// Streams a canonical, length-prefixed serialisation into XXH3-128.
struct Fingerprinter {
    private var state: OpaquePointer
    private var buffer: [UInt8] = []

    init() {
        state = XXH3_createState()
        XXH3_128bits_reset(state)
        buffer.reserveCapacity(1 << 16)
    }

    mutating func add(_ text: String) {
        add(UInt64(text.utf8.count))
        buffer.append(contentsOf: text.utf8)
        flushIfFull()
    }

    mutating func add(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
        flushIfFull()
    }

    /// A double by its bit pattern (−0 and 0 differ, as they may in results).
    mutating func add(_ value: Double) { add(value.bitPattern) }

    mutating func add(_ value: Int) { add(UInt64(bitPattern: Int64(value))) }

    mutating func add(_ value: Bool) { add(UInt64(value ? 1 : 0)) }

    mutating func add(_ value: String?) {
        if let value {
            add(true)
            add(value)
        } else {
            add(false)
        }
    }

    private mutating func flushIfFull() {
        if buffer.count >= 1 << 16 { flush() }
    }

    private mutating func flush() {
        buffer.withUnsafeBytes { _ = XXH3_128bits_update(state, $0.baseAddress, $0.count) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// `xxh3-128:` and 32 hex digits; the fingerprinter cannot be used afterwards.
    mutating func finish() -> String {
        flush()
        let hash = XXH3_128bits_digest(state)
        XXH3_freeState(state)
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return "xxh3-128:" + hex(hash.high64) + hex(hash.low64)
    }
}
