import CascadeFormula

/// Parsers for numeric option values, used as `@Option(parsing: .unconditional, transform: …)`.
///
/// Each refuses a value outside its option's range while the command line is parsed, so a bad
/// value is a usage error that names the option and its range (`--top=-1` once crashed the
/// summary). `.unconditional` parsing lets a value start with `-` (`--value -0.05`), which the
/// default strategy would take for an option.
enum NumericOption {
    /// Why a value was refused; argument-parser prints it after "The value 'X' is invalid for '--name <n>'".
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// A whole number in `range`.
    static func integer(_ range: ClosedRange<Int>) -> @Sendable (String) throws -> Int {
        { text in
            guard let value = Int(text), range.contains(value) else {
                throw Refusal(description: "expected a whole number \(describe(range))")
            }
            return value
        }
    }

    /// A finite number in `range`.
    static func number(_ range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
        -> @Sendable (String) throws -> Double {
        { text in
            guard let value = Double(text), value.isFinite, range.contains(value) else {
                throw Refusal(description: ["expected a finite number", describe(range)].filter { !$0.isEmpty }.joined(separator: " "))
            }
            return value
        }
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == .max ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
    }

    static func describe(_ range: ClosedRange<Double>) -> String {
        switch (range.lowerBound == -.greatestFiniteMagnitude, range.upperBound == .greatestFiniteMagnitude) {
        case (true, true): ""
        case (false, true): "of at least \(JSNumber.format(range.lowerBound))"
        case (true, false): "of at most \(JSNumber.format(range.upperBound))"
        case (false, false): "from \(JSNumber.format(range.lowerBound)) to \(JSNumber.format(range.upperBound))"
        }
    }
}
