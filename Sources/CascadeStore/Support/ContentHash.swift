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
        let h = hex(high), l = hex(low)
        let a = h.prefix(8), b = h.dropFirst(8).prefix(4), c = h.dropFirst(12)
        let d = l.prefix(4), e = l.dropFirst(4)
        return "\(a)-\(b)-\(c)-\(d)-\(e)"
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
