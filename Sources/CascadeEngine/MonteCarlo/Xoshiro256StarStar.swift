/// The Monte Carlo generator: xoshiro256** (Blackman & Vigna, 2018; the reference C at
/// prng.di.unimi.it) seeded by splitmix64 — written out here rather than taken from the standard
/// library or Foundation, whose generators are neither seedable nor specified, so that a scenario's
/// draws are the same on every machine and in every version.
///
/// Draw `d` of a scenario with seed `s` has a generator of its own, keyed by (s, d): splitmix64's
/// mixer of `s` plus `d` times an odd constant is the start of a splitmix64 stream whose first four
/// outputs are the xoshiro state. So any chunk of draws is computed independently of the others,
/// and a result does not depend on how the draws are split (into chunks, threads or workers).
package struct Xoshiro256StarStar: Sendable {
    private var s0, s1, s2, s3: UInt64

    /// A generator from an explicit state (not all zero), as the reference's tests use.
    package init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    /// The generator of draw `draw` of a scenario seeded with `seed`.
    package init(seed: UInt64, draw: UInt64) {
        var stream = SplitMix64(state: SplitMix64.mix(seed) &+ draw &* 0xD1B5_4A32_D192_ED03)
        (s0, s1, s2, s3) = (stream.next(), stream.next(), stream.next(), stream.next())
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the one state xoshiro cannot leave (never seen in practice)
    }

    /// The next 64 random bits.
    @inline(__always)
    package mutating func next() -> UInt64 {
        let result = rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotate(s3, 45)
        return result
    }

    /// A uniform double in [0, 1): the top 53 bits, scaled.
    @inline(__always)
    package mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    @inline(__always)
    private func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

/// splitmix64 (Steele, Lea & Flood, 2014): the seeder the xoshiro authors recommend.
package struct SplitMix64: Sendable {
    package var state: UInt64

    package init(state: UInt64) { self.state = state }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The output function: a bijective mix of 64 bits.
    package static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
