/// A set of a world file's ids, each with a row index, keyed by the 128 bits of the id's stable
/// store id (`ContentHash.stableIDBits`): two ids are the same row in the store exactly when
/// their bits are equal, so the bits are the identity the store itself uses. Open addressing over
/// plain integers: no string hashing per row of a large file.
struct IDTable: Sendable {
    let seed: UInt64
    private var highs: [UInt64]
    private var lows: [UInt64]
    /// Row index + 1; 0 marks an empty slot.
    private var values: [Int32]
    private(set) var count = 0
    private var mask: Int

    init(namespace: String, capacity: Int = 64) {
        seed = ContentHash.seed(namespace)
        var size = 64
        while size < capacity * 2 { size <<= 1 }
        highs = Array(repeating: 0, count: size)
        lows = Array(repeating: 0, count: size)
        values = Array(repeating: 0, count: size)
        mask = size - 1
    }

    func bits(_ id: String) -> (UInt64, UInt64) { ContentHash.stableIDBits(seed: seed, id) }

    private func slot(_ bits: (UInt64, UInt64)) -> (index: Int, found: Bool) {
        var i = Int(truncatingIfNeeded: bits.1 ^ (bits.0 &>> 17)) & mask
        while values[i] != 0 {
            if highs[i] == bits.0 && lows[i] == bits.1 { return (i, true) }
            i = (i + 1) & mask
        }
        return (i, false)
    }

    /// The row index stored for `id`, if any.
    func index(of id: String) -> Int? {
        let (i, found) = slot(bits(id))
        return found ? Int(values[i]) - 1 : nil
    }

    func contains(_ id: String) -> Bool { slot(bits(id)).found }

    /// The row index stored for the id with these bits (`bits(_:)`, same namespace), if any.
    func index(ofBits bits: (UInt64, UInt64)) -> Int? {
        let (i, found) = slot(bits)
        return found ? Int(values[i]) - 1 : nil
    }

    /// Whether an id with these bits (`bits(_:)`, same namespace) is in the table.
    func contains(bits: (UInt64, UInt64)) -> Bool { slot(bits).found }

    /// Stores `index` for `id` unless `id` is there already; returns the index stored first.
    @discardableResult
    mutating func insert(_ id: String, index: Int) -> Int? { insert(bits: bits(id), index: index) }

    /// `insert(_:index:)` for an id whose bits (`bits(_:)`, same namespace) are already known.
    @discardableResult
    mutating func insert(bits b: (UInt64, UInt64), index: Int) -> Int? {
        let (i, found) = slot(b)
        if found { return Int(values[i]) - 1 }
        highs[i] = b.0
        lows[i] = b.1
        values[i] = Int32(truncatingIfNeeded: index + 1)
        count += 1
        if count * 2 > values.count { grow() }
        return nil
    }

    private mutating func grow() {
        let old = (highs, lows, values)
        let size = values.count * 2
        highs = Array(repeating: 0, count: size)
        lows = Array(repeating: 0, count: size)
        values = Array(repeating: 0, count: size)
        mask = size - 1
        for k in old.2.indices where old.2[k] != 0 {
            let (i, _) = slot((old.0[k], old.1[k]))
            highs[i] = old.0[k]
            lows[i] = old.1[k]
            values[i] = old.2[k]
        }
    }

    /// Every key's bits, in no particular order.
    var allBits: [(UInt64, UInt64)] {
        values.indices.filter { values[$0] != 0 }.map { (highs[$0], lows[$0]) }
    }
}
