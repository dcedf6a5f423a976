import CXXHash

/// XXH3 hashes (libxxhash): content hashes of formula versions and stable row ids.
public enum ContentHash {
    /// The 128-bit XXH3 hash of `text`'s UTF-8 bytes as 32 lowercase hex digits.
    public static func xxh3_128(_ text: String) -> String {
        let (high, low) = raw(text)
        return hex(high) + hex(low)
    }

    /// A formula version's identity: its text and its parameters (serialised with sorted keys),
    /// separated by a NUL byte so the two cannot run into each other.
    public static func formula(text: String, canonicalParameters: String) -> String {
        "xxh3-128:" + xxh3_128(text + "\u{0}" + canonicalParameters)
    }

    /// A UUID-shaped id derived from `key` within `namespace`: the same world file gives the same
    /// row ids on every backend and on every re-import (UUID version 8, RFC 9562 variant).
    public static func stableID(_ namespace: String, _ key: String) -> String {
        var (high, low) = raw(namespace + "\u{0}" + key)
        high = (high & ~0xF000) | 0x8000
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        // 8-4-4-4-12 hex digits, formatted without intermediate strings (this runs per imported row).
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
