/// What a formula's test cases leave unexercised: the outcomes of its conditions that no case
/// takes, and the regions of a numeric input — cut at the constants the formula compares it
/// against — that no case falls in, with whether the formula returns no value there.
///
/// A pure stage after checking: it reads the checked tree's side tables (which names are inputs,
/// which are locals) and runs the compiled formula through its public `evaluate`, so the outcomes
/// it records are the ones the evaluator gives. What it does not see:
/// - a condition that reads a local (`const d = x - 80; if (d < 0) …`) is listed as not analysed
///   (its outcome depends on code before it, which is not replayed), and so is what it guards;
/// - regions come from direct comparisons of an input against a number (`x < 80`, `120 >= x`,
///   `x === 0`); a threshold hidden in arithmetic (`x * 2 > 160`) is not found;
/// - the right operand of `&&` / `||` is treated as reached whenever the left one is.
package struct TestCoverage: Sendable, Equatable {
    /// One `if` condition or `?:` test and the cases that took each outcome.
    package struct Condition: Sendable, Equatable {
        /// The condition as written.
        package var text: String
        package var range: SourceRange
        /// False when the condition reads a local (or sits under one that does): its outcomes are unknown.
        package var isAnalysed: Bool
        /// Indexes of the cases that reached the condition and found it true / false.
        package var trueCases: [Int]
        package var falseCases: [Int]
    }

    /// An interval of one numeric input between the constants it is compared against.
    package struct Region: Sendable, Equatable {
        package var input: String
        /// nil: unbounded.
        package var lower: Double?
        package var upper: Double?
        package var includesLower: Bool
        package var includesUpper: Bool
        /// The formula returns no value (falls off the end) for some case moved into this region.
        package var returnsNoValue: Bool
        /// Indexes of the cases whose value of `input` lies in the region.
        package var cases: [Int]

        /// `= 120`, `in [80, 120]`, `in (-∞, 80)`.
        package var description: String {
            if let lower, let upper, lower == upper { return "= \(JSNumber.format(lower))" }
            let low = lower.map(JSNumber.format) ?? "-∞"
            let high = upper.map(JSNumber.format) ?? "∞"
            return "in \(includesLower ? "[" : "(")\(low), \(high)\(includesUpper ? "]" : ")")"
        }

        func contains(_ x: Double) -> Bool {
            if let lower, x < lower || (x == lower && !includesLower) { return false }
            if let upper, x > upper || (x == upper && !includesUpper) { return false }
            return true
        }
    }

    /// Every condition, in source order.
    package var conditions: [Condition]
    /// Every region of every compared input, by input then from low to high.
    package var regions: [Region]

    /// The gaps, one sentence each: regions with no value that no case covers (adjacent ones
    /// merged), then condition outcomes that no case takes.
    package var findings: [String] {
        var lines: [String] = []
        for region in Self.merged(regions.filter { $0.cases.isEmpty && $0.returnsNoValue }) {
            lines.append("no case has `\(region.input)` \(region.description), where the formula returns no value")
        }
        for condition in conditions where condition.isAnalysed {
            switch (condition.trueCases.isEmpty, condition.falseCases.isEmpty) {
            case (true, true): lines.append("no case reaches the condition `\(condition.text)`")
            case (true, false): lines.append("no case makes `\(condition.text)` true")
            case (false, true): lines.append("no case makes `\(condition.text)` false")
            case (false, false): break
            }
        }
        return lines
    }

    /// Adjacent regions of the same input joined into one (the input must be sorted low to high).
    static func merged(_ regions: [Region]) -> [Region] {
        var out: [Region] = []
        for region in regions {
            if var last = out.last, last.input == region.input, last.upper == region.lower,
               last.includesUpper != region.includesLower {
                last.upper = region.upper
                last.includesUpper = region.includesUpper
                out[out.count - 1] = last
            } else {
                out.append(region)
            }
        }
        return out
    }

    /// Analyses `formula` against the inputs of each test case (`cases[i]` binds every declared
    /// input by name; a case that cannot be evaluated counts as reaching nothing).
    /// - Complexity: O(conditions × cases + regions × min(cases, 32)) evaluations.
    package static func analyse(_ formula: CompiledFormula, inputs: [String: InputType], cases: [[String: Value]]) -> TestCoverage {
        var analysis = CoverageWalk(checked: formula.checked, inputs: inputs, cases: cases)
        let all = Array(repeating: CoverageWalk.Reach.yes, count: cases.count)
        switch formula.checked.tree.form {
        case .expression(let expr): analysis.walk(expr, all)
        case .body(let statements): _ = analysis.walk(statements, all)
        }
        let conditions = analysis.conditions.sorted { $0.range.start < $1.range.start }
        return TestCoverage(conditions: conditions, regions: regions(of: formula, inputs: inputs, cases: cases))
    }

    /// The regions of every plain numeric input compared against a number, probed once each.
    static func regions(of formula: CompiledFormula, inputs: [String: InputType], cases: [[String: Value]]) -> [Region] {
        var thresholds: [String: Set<Double>] = [:]
        CoverageWalk.collectThresholds(formula.checked, into: &thresholds)
        let bases = cases.isEmpty ? [defaults(inputs)] : Array(cases.prefix(32))
        var regions: [Region] = []
        for input in thresholds.keys.sorted() {
            let cuts = thresholds[input, default: []].sorted()
            var pieces: [(Double?, Double?, Bool, Bool, Double)] = []  // lower, upper, [lower, upper], probe
            for (k, t) in cuts.enumerated() {
                let below = k == 0 ? nil : cuts[k - 1]
                let probe = below.map { ($0 + t) / 2 } ?? t - max(1, abs(t))
                pieces.append((below, t, false, false, probe))
                pieces.append((t, t, true, true, t))
            }
            if let last = cuts.last { pieces.append((last, nil, false, false, last + max(1, abs(last)))) }
            for (lower, upper, includesLower, includesUpper, probe) in pieces {
                var region = Region(input: input, lower: lower, upper: upper, includesLower: includesLower,
                                    includesUpper: includesUpper, returnsNoValue: false, cases: [])
                for (index, bindings) in cases.enumerated() {
                    if case .number(let x)? = bindings[input], region.contains(x) { region.cases.append(index) }
                }
                region.returnsNoValue = bases.contains { base in
                    var moved = base
                    moved[input] = .number(probe)
                    return (try? formula.evaluate(moved)) == .undefined
                }
                regions.append(region)
            }
        }
        return regions
    }

    /// Neutral bindings when there is no case to start from.
    static func defaults(_ inputs: [String: InputType]) -> [String: Value] {
        inputs.mapValues { type in
            switch type {
            case .number: .number(0)
            case .boolean: .boolean(false)
            case .string: .string("")
            case .null, .any: .null
            case .record: .record([:])
            }
        }
    }
}

/// The walk behind `TestCoverage.analyse`: which cases reach each condition, and which way it goes.
struct CoverageWalk {
    /// Whether one case reaches a point of the formula.
    enum Reach {
        case yes, no, unknown

        /// Reached and `outcome` (nil: unknown) holds.
        func and(_ outcome: Bool?) -> Reach {
            switch (self, outcome) {
            case (.no, _), (_, false?): .no
            case (_, nil): .unknown
            case (let reach, true?): reach
            }
        }

        static func or(_ a: Reach, _ b: Reach) -> Reach {
            if a == .yes || b == .yes { return .yes }
            return a == .unknown || b == .unknown ? .unknown : .no
        }
    }

    let checked: CheckedFormula
    let inputs: [String: InputType]
    let cases: [[String: Value]]
    let utf8: [UInt8]
    var conditions: [TestCoverage.Condition] = []

    init(checked: CheckedFormula, inputs: [String: InputType], cases: [[String: Value]]) {
        self.checked = checked
        self.inputs = inputs
        self.cases = cases
        self.utf8 = Array(checked.tree.source.utf8)
    }

    /// The statements in order; returns which cases fall through past them.
    mutating func walk(_ statements: [Stmt], _ reach: [Reach]) -> [Reach] {
        var reach = reach
        for statement in statements { reach = walk(statement, reach) }
        return reach
    }

    mutating func walk(_ statement: Stmt, _ reach: [Reach]) -> [Reach] {
        switch statement.kind {
        case .empty, .invalid: return reach
        case .block(let statements): return walk(statements, reach)
        case .declaration(_, _, _, let value), .assignment(_, _, _, let value), .expression(let value):
            walk(value, reach)
            return reach
        case .returnValue(let value):
            if let value { walk(value, reach) }
            return reach.map { _ in .no }
        case .ifElse(let condition, let then, let otherwise):
            walk(condition, reach)
            let outcomes = record(condition, reach)
            let a = walk(then, zip(reach, outcomes).map { $0.and($1) })
            let elseReach = zip(reach, outcomes).map { $0.and($1.map(!)) }
            let b = otherwise.map { walk($0, elseReach) } ?? elseReach
            return zip(a, b).map(Reach.or)
        }
    }

    mutating func walk(_ expr: Expr, _ reach: [Reach]) {
        switch expr.kind {
        case .number, .string, .boolean, .null, .identifier, .invalid: return
        case .member(let object, _, _): walk(object, reach)
        case .unary(_, let operand): walk(operand, reach)
        case .parenthesized(let inner): walk(inner, reach)
        case .binary(_, let left, let right):
            walk(left, reach)
            walk(right, reach)
        case .call(let callee, let arguments):
            walk(callee, reach)
            for argument in arguments { walk(argument, reach) }
        case .conditional(let test, let consequent, let alternate):
            walk(test, reach)
            let outcomes = record(test, reach)
            walk(consequent, zip(reach, outcomes).map { $0.and($1) })
            walk(alternate, zip(reach, outcomes).map { $0.and($1.map(!)) })
        }
    }

    /// Evaluates `condition` for every case and records the outcomes of the cases that reach it;
    /// returns each case's outcome (nil: unknown).
    mutating func record(_ condition: Expr, _ reach: [Reach]) -> [Bool?] {
        let text = String(decoding: utf8[min(condition.range.start, utf8.count)..<min(condition.range.end, utf8.count)], as: UTF8.self)
        var entry = TestCoverage.Condition(text: text, range: condition.range, isAnalysed: false, trueCases: [], falseCases: [])
        defer { conditions.append(entry) }
        guard readsOnlyInputs(condition), !reach.contains(.unknown),
              let compiled = Formula.compile(text, inputs: inputs).formula else {
            return reach.map { _ in nil }
        }
        entry.isAnalysed = true
        return cases.enumerated().map { index, bindings in
            guard case .boolean(let outcome)? = try? compiled.evaluate(bindings) else { return nil }
            if reach[index] == .yes {
                if outcome { entry.trueCases.append(index) } else { entry.falseCases.append(index) }
            }
            return outcome
        }
    }

    /// The expression names no local (so it can be evaluated from the inputs alone).
    func readsOnlyInputs(_ expr: Expr) -> Bool {
        switch expr.kind {
        case .number, .string, .boolean, .null: return true
        case .invalid: return false
        case .identifier:
            if case .local? = checked.resolutions[expr.id] { return false }
            return true
        case .member(let object, _, _): return readsOnlyInputs(object)
        case .unary(_, let operand): return readsOnlyInputs(operand)
        case .parenthesized(let inner): return readsOnlyInputs(inner)
        case .binary(_, let left, let right): return readsOnlyInputs(left) && readsOnlyInputs(right)
        case .conditional(let a, let b, let c): return readsOnlyInputs(a) && readsOnlyInputs(b) && readsOnlyInputs(c)
        case .call(let callee, let arguments): return readsOnlyInputs(callee) && arguments.allSatisfy(readsOnlyInputs)
        }
    }

    /// The numbers each plain input is compared against (`x < 80`, `120 >= x`, `x === 0`).
    static func collectThresholds(_ checked: CheckedFormula, into thresholds: inout [String: Set<Double>]) {
        func constant(_ expr: Expr) -> Double? {
            switch expr.kind {
            case .number(let x): return x
            case .parenthesized(let inner): return constant(inner)
            case .unary(.negate, let inner): return constant(inner).map { -$0 }
            case .unary(.plus, let inner): return constant(inner)
            default: return nil
            }
        }
        func input(_ expr: Expr) -> String? {
            switch expr.kind {
            case .parenthesized(let inner): return input(inner)
            case .identifier(let name):
                guard case .input(let slot)? = checked.resolutions[expr.id], checked.inputs[slot].path == name,
                      checked.inputs[slot].type == .number || checked.inputs[slot].type == .any else { return nil }
                return name
            default: return nil
            }
        }
        func visit(_ expr: Expr) {
            switch expr.kind {
            case .number, .string, .boolean, .null, .identifier, .invalid: return
            case .member(let object, _, _): visit(object)
            case .unary(_, let operand): visit(operand)
            case .parenthesized(let inner): visit(inner)
            case .binary(let op, let left, let right):
                if op.isRelational || op.isEquality {
                    if let name = input(left), let t = constant(right), t.isFinite { thresholds[name, default: []].insert(t) }
                    if let name = input(right), let t = constant(left), t.isFinite { thresholds[name, default: []].insert(t) }
                }
                visit(left)
                visit(right)
            case .call(let callee, let arguments):
                visit(callee)
                arguments.forEach(visit)
            case .conditional(let a, let b, let c):
                visit(a)
                visit(b)
                visit(c)
            }
        }
        func visit(_ statement: Stmt) {
            switch statement.kind {
            case .empty, .invalid: return
            case .block(let statements): statements.forEach(visit)
            case .declaration(_, _, _, let value), .assignment(_, _, _, let value), .expression(let value): visit(value)
            case .returnValue(let value): value.map(visit)
            case .ifElse(let condition, let then, let otherwise):
                visit(condition)
                visit(then)
                otherwise.map(visit)
            }
        }
        switch checked.tree.form {
        case .expression(let expr): visit(expr)
        case .body(let statements): statements.forEach(visit)
        }
    }
}
