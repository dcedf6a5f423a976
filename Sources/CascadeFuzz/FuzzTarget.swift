// The body of one fuzz iteration (placeholder until the formula core lands: it only proves the
// libFuzzer wiring by branching on the input).
import CascadeFormula

enum FuzzTarget {
    static func run(_ bytes: UnsafeBufferPointer<UInt8>) {
        let source = String(decoding: bytes, as: UTF8.self)
        var depth = 0
        var maxDepth = 0
        for scalar in source.unicodeScalars {
            switch scalar {
            case "(": depth += 1; maxDepth = max(maxDepth, depth)
            case ")": depth -= 1
            case "r": if depth > 3 { maxDepth += 1 }
            default: break
            }
        }
        if maxDepth > 1000 { print("deep") }
    }
}
