import CXXHash

/// XXH3 hashes (libxxhash): content hashes of formula versions and stable row ids.
package enum ContentHash {
    /// The 128-bit XXH3 hash of `text`'s UTF-8 bytes as 32 lowercase hex digits.
    package static func xxh3_128(_ text: String) -> String {
        let (high, low) = raw(text)
        return hex(high) + hex(low)
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
    package static func parseFormatted(_ text: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        guard text.count == 36, text[8] == 0x2D, text[13] == 0x2D, text[18] == 0x2D, text[23] == 0x2D else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        var digits = 0
        for (k, byte) in text.enumerated() where k != 8 && k != 13 && k != 18 && k != 23 {
            let nibble: UInt8
            switch byte {
            case 0x30...0x39: nibble = byte &- 0x30
            case 0x61...0x66: nibble = byte &- 0x61 &+ 10
            default: return nil
            }
            if digits < 16 { high = high << 4 | UInt64(nibble) } else { low = low << 4 | UInt64(nibble) }
            digits += 1
        }
        return (high, low)
    }

    /// Appends the 36 bytes of `format(bits)` to `out`.
    static func appendFormatted(_ bits: (UInt64, UInt64), to out: inout [UInt8]) {
        var text: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { buffer in
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
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<36]))
        }
    }

    private static func raw(_ text: String) -> (UInt64, UInt64) {
        var text = text
        let hash = text.withUTF8 { bytes in XXH3_128bits(bytes.baseAddress, bytes.count) }
        return (hash.high64, hash.low64)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
