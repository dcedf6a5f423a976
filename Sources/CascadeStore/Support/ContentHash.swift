import CXXHash

/// XXH3 hashes (libxxhash): content hashes of formula versions and stable row ids.
package enum ContentHash {
    /// The 128-bit XXH3 hash of `text`'s UTF-8 bytes as 32 lowercase hex digits.
    package static func xxh3_128(_ text: String) -> String {
        hex(raw(text))
    }

    /// The 128-bit XXH3 hash of `bytes` (high and low halves).
    package static func xxh3_128(bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64) {
        let hash = XXH3_128bits(bytes.baseAddress, bytes.count)
        return (hash.high64, hash.low64)
    }

    /// 128 bits as 32 lowercase hex digits, high half first (the form `xxh3_128(_:)` returns).
    package static func hex(_ bits: (UInt64, UInt64)) -> String {
        hex(bits.0) + hex(bits.1)
    }

    /// A formula version's identity: its text and its parameters (serialised with sorted keys),
    /// separated by a NUL byte so the two cannot run into each other.
    package static func formula(text: String, canonicalParameters: String) -> String {
        "xxh3-128:" + xxh3_128(text + "\u{0}" + canonicalParameters)
    }

    /// A UUID-shaped id derived from `key` within `namespace` (XXH3-128 of the key, seeded with the
    /// XXH3-64 of the namespace): the same world file gives the same
    /// row ids on every backend and on every re-import (UUID version 8, RFC 9562 variant).
    package static func stableID(_ namespace: String, _ key: String) -> String {
        format(stableIDBits(namespace, key))
    }

    /// The 128 bits of `stableID`, version and variant set; ordering them numerically orders the
    /// formatted ids.
    static func stableIDBits(_ namespace: String, _ key: String) -> (UInt64, UInt64) {
        stableIDBits(seed: seed(namespace), key)
    }

    /// The seed `stableIDBits` uses for `namespace` (the namespace's XXH3-64).
    static func seed(_ namespace: String) -> UInt64 {
        var namespace = namespace
        return namespace.withUTF8 { XXH3_64bits($0.baseAddress, $0.count) }
    }

    /// `stableIDBits` with the namespace's seed computed once by the caller.
    static func stableIDBits(seed: UInt64, _ key: String) -> (UInt64, UInt64) {
        // The key's bytes hashed with the namespace's hash as seed: no concatenated copy per row.
        var key = key
        return key.withUTF8 { stableIDBits(seed: seed, utf8: $0) }
    }

    /// `stableIDBits(seed:_:)` of a key given as its UTF-8 bytes (a column read in place).
    static func stableIDBits(seed: UInt64, utf8 key: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
        let hash = XXH3_128bits_withSeed(key.baseAddress, key.count, seed)
        let (high, low) = (hash.high64, hash.low64)
        return ((high & ~0xF000) | 0x8000, (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000)
    }

    /// Formats 128 bits as a UUID, 8-4-4-4-12 lowercase hex digits, without intermediate strings.
    package static func format(_ bits: (UInt64, UInt64)) -> String {
        let (high, low) = bits
        return String(unsafeUninitializedCapacity: 36) { buffer in
            let digits: StaticString = "0123456789abcdef"
            var out = 0
            func put(_ value: UInt64, _ count: Int) {
                var shift = 4 * (count - 1)
                for _ in 0..<count {
                    buffer[out] = digits.utf8Start[Int((value >> UInt64(shift)) & 0xF)]
                    out += 1
                    shift -= 4
                }
            }
            put(high >> 32, 8); buffer[out] = 0x2D; out += 1
            put(high >> 16, 4); buffer[out] = 0x2D; out += 1
            put(high, 4); buffer[out] = 0x2D; out += 1
            put(low >> 48, 4); buffer[out] = 0x2D; out += 1
            put(low, 12)
            return out
        }
    }

    /// The 128 bits `format` wrote: nil unless `text` is exactly 8-4-4-4-12 lowercase hex digits,
    /// so that `format(parseFormatted(text)!)` is `text` byte for byte.
    ///
    /// Branch-free per digit: a result document parses every entity and relationship id (6 M at
    /// 1 M entities), and ids are random mixes of digits and letters, so a branch per byte was
    /// mispredicted about a third of the time (perf: 0.8 s of a 1 M run's 1.1 s storing its result).
    package static func parseFormatted(_ text: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        guard text.count == 36, let p = text.baseAddress else { return nil }
        var invalid = UInt64(p[8] ^ 0x2D) | UInt64(p[13] ^ 0x2D) | UInt64(p[18] ^ 0x2D) | UInt64(p[23] ^ 0x2D)
        @inline(__always) func digits(_ range: Range<Int>, into value: inout UInt64) {
            for k in range {
                let c = UInt64(p[k])
                // The allowed bytes as bits: '0'…'9' are bits 48…57 of the first 64, 'a'…'f' bits 33…38 of the next.
                let allowed: UInt64 = c < 64 ? 0x03FF_0000_0000_0000 : 0x0000_007E_0000_0000
                invalid |= (~(allowed >> (c & 63)) & 1) | (c >> 7)
                value = value << 4 | ((c & 0xF) &+ 9 &* (c >> 6))  // '0'…'9' → 0…9, 'a'…'f' → 10…15
            }
        }
        var high: UInt64 = 0, low: UInt64 = 0
        digits(0..<8, into: &high)
        digits(9..<13, into: &high)
        digits(14..<18, into: &high)
        digits(19..<23, into: &low)
        digits(24..<36, into: &low)
        return invalid == 0 ? (high, low) : nil
    }

    /// Appends the 36 bytes of `format(bits)` to `out`.
    static func appendFormatted(_ bits: (UInt64, UInt64), to out: inout [UInt8]) {
        withFormatted(bits) { out.append(contentsOf: $0) }
    }

    /// Calls `body` with the 36 bytes of `format(bits)`, written on the stack (no string is made).
    package static func withFormatted<R>(_ bits: (UInt64, UInt64), _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        return try withUnsafeMutableBytes(of: &text) { buffer in
            let digits: StaticString = "0123456789abcdef"
            let hex = digits.utf8Start
            var at = 0
            var value = bits.0
            for nibble in 0..<16 {
                if nibble == 8 || nibble == 12 {
                    buffer[at] = 0x2D
                    at += 1
                }
                buffer[at] = hex[Int(value >> 60)]
                value <<= 4
                at += 1
            }
            value = bits.1
            for nibble in 0..<16 {
                if nibble == 0 || nibble == 4 {
                    buffer[at] = 0x2D
                    at += 1
                }
                buffer[at] = hex[Int(value >> 60)]
                value <<= 4
                at += 1
            }
            return try UnsafeRawBufferPointer(rebasing: buffer[0..<36]).withMemoryRebound(to: UInt8.self) { try body($0) }
        }
    }

    private static func raw(_ text: String) -> (UInt64, UInt64) {
        var text = text
        return text.withUTF8 { bytes in xxh3_128(bytes: UnsafeRawBufferPointer(bytes)) }
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
