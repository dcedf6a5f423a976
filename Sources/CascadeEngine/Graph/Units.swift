/// Unit normalisation of macro values to decimals.
enum Units {
    /// The factor that turns a value in `unit` into decimals: `%` → 0.01, `bp` → 0.0001, else 1.
    static func scale(_ unit: String?) -> Double {
        switch unit?.lowercased().trimmingCharacters(in: " ") {
        case "%", "percent", "pct", "percentage": 0.01
        case "bp", "bps", "basis points", "basis point": 0.0001
        default: 1
        }
    }

    /// "Fed Funds Rate" → `fed_funds_rate`: lowercase ASCII letters and digits, other runs become `_`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        var pendingUnderscore = false
        for scalar in name.unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if pendingUnderscore && !out.isEmpty { out += "_" }
                pendingUnderscore = false
                out += String(scalar).lowercased()
            } else {
                pendingUnderscore = true
            }
        }
        return out
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}

/// Byte-wise (UTF-8) ordering: the same on every backend and platform.
@inline(__always)
func byteOrder(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}
