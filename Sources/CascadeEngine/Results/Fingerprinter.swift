import CXXHash

/// Streams a canonical, length-prefixed serialisation into XXH3-128.
struct Fingerprinter {
    private var state: OpaquePointer
    private static let capacity = 1 << 16
    private var buffer: UnsafeMutableRawPointer
    private var count = 0

    init() {
        state = XXH3_createState()
        XXH3_128bits_reset(state)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: Fingerprinter.capacity, alignment: 8)
    }

    mutating func add(_ text: String) {
        // A native string's bytes are read in place; only a bridged or lazy one is copied.
        if text.utf8.withContiguousStorageIfAvailable({ add($0) }) != nil { return }
        var text = text
        text.withUTF8 { add($0) }
    }

    private mutating func add(_ bytes: UnsafeBufferPointer<UInt8>) {
        add(UInt64(bytes.count))
        if bytes.count > Fingerprinter.capacity - count {
            flush()
            if bytes.count > Fingerprinter.capacity {
                _ = XXH3_128bits_update(state, bytes.baseAddress, bytes.count)
                return
            }
        }
        if let base = bytes.baseAddress { (buffer + count).copyMemory(from: base, byteCount: bytes.count) }
        count += bytes.count
    }

    mutating func add(_ value: UInt64) {
        if count + 8 > Fingerprinter.capacity { flush() }
        (buffer + count).storeBytes(of: value.littleEndian, as: UInt64.self)
        count += 8
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

    private mutating func flush() {
        _ = XXH3_128bits_update(state, buffer, count)
        count = 0
    }

    /// `xxh3-128:` and 32 hex digits; the fingerprinter cannot be used afterwards.
    mutating func finish() -> String {
        flush()
        let hash = XXH3_128bits_digest(state)
        XXH3_freeState(state)
        buffer.deallocate()
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return "xxh3-128:" + hex(hash.high64) + hex(hash.low64)
    }
}
