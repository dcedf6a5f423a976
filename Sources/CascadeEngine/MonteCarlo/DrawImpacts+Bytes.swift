/// A chunk of draws as the bytes a worker stores (`run_draw_chunks.impacts`), and the merge of
/// chunks into one run's impacts.
extension DrawImpacts {
    /// No draws yet for `entities` over `draws`: every impact 0 until the chunks are placed.
    init(entities: [Int32], draws: Range<Int>) {
        self.init(entities: entities, draws: draws, impacts: [Double](repeating: 0, count: entities.count * draws.count))
    }

    /// The impacts as little-endian IEEE doubles in `impacts`' order (entity by entity, draw by
    /// draw): bit for bit what was computed.
    package var bytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: impacts.count * MemoryLayout<UInt64>.size)
        out.withUnsafeMutableBytes { raw in
            for (k, x) in impacts.enumerated() {
                raw.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: k * MemoryLayout<UInt64>.size, as: UInt64.self)
            }
        }
        return out
    }

    /// Writes a chunk's impacts — `bytes` (as `bytes` gave them) of draws `range`, for these
    /// entities — into their places; false, changing nothing, when `range` is not within these
    /// draws or `bytes` is not one double per entity and draw of it.
    mutating func place(_ bytes: [UInt8], draws range: Range<Int>) -> Bool {
        let m = range.count, n = draws.count, offset = range.lowerBound - draws.lowerBound
        guard range.lowerBound >= draws.lowerBound, range.upperBound <= draws.upperBound,
              bytes.count == entities.count * m * MemoryLayout<UInt64>.size else { return false }
        impacts.withUnsafeMutableBufferPointer { impacts in
            bytes.withUnsafeBytes { raw in
                for position in entities.indices {
                    for k in 0..<m {
                        let bits = raw.loadUnaligned(fromByteOffset: (position * m + k) * MemoryLayout<UInt64>.size, as: UInt64.self)
                        impacts[position * n + offset + k] = Double(bitPattern: UInt64(littleEndian: bits))
                    }
                }
            }
        }
        return true
    }
}
