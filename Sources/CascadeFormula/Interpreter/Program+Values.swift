/// The value instructions' semantics (strings, `null`, values of unknown type, records): the one
/// definition of string `+`, dynamic `+`, dynamic member reads and `===`/`==` on values, called
/// from the dispatch loop. Formulas never coerce: a value of the wrong type is a located `type`
/// (or `runtime.null-operand`) error.
extension Program {
    /// `+` on two strings, within the string limit.
    static func join(_ a: String, _ b: String, limit: Int, site: ErrorSite) throws(FormulaError) -> String {
        let bytes = a.utf8.count + b.utf8.count
        if bytes > limit { throw site.stringTooLong(bytes, limit: limit) }
        return a + b
    }

    /// `+` on two values of unknown type, as JavaScript does it for two numbers or two strings.
    static func dynamicAdd(_ a: Value, _ b: Value, limit: Int, site: ErrorSite) throws(FormulaError) -> Value {
        switch (a, b) {
        case (.number(let x), .number(let y)): return .number(try AddOperation.apply(x, y, site))
        case (.string(let x), .string(let y)): return .string(try join(x, y, limit: limit, site: site))
        case (.number, _), (.string, _): throw site.typeMismatch(expected: "a \(a.typeName) (like the left side)", found: b)
        default: throw site.typeMismatch(expected: "a number or a string", found: a)
        }
    }

    /// `===` (or `==`, which also requires both sides to have the same type) on two values:
    /// scalars only, strings by code units.
    static func equals(_ x: Value, _ y: Value, isLoose: Bool, site: ErrorSite) throws(FormulaError) -> Bool {
        if case .record = x { throw site.typeMismatch(expected: "a scalar", found: x) }
        if case .record = y { throw site.typeMismatch(expected: "a scalar", found: y) }
        if isLoose && x.typeName != y.typeName {
            throw site.typeMismatch(expected: "a \(x.typeName) (the other side's type)", found: y)
        }
        return jsStrictEquals(x, y)
    }

    // MARK: - The dispatch loop's calls (cold paths, located by the instruction)

    /// `+` on two strings (the checker typed both sides `string`; a string slot left unbound on the
    /// fast path holds null, which is an error here, never coerced).
    @inline(never)
    func concatenate(_ x: Value, _ y: Value, _ pc: Int) throws(FormulaError) -> Value {
        guard case .string(let a) = x else { throw site(pc).typeMismatch(expected: "a string", found: x) }
        guard case .string(let b) = y else { throw site(pc).typeMismatch(expected: "a string", found: y) }
        return .string(try Program.join(a, b, limit: maxStringBytes, site: site(pc)))
    }

    @inline(never)
    func dynamicAdd(_ x: Value, _ y: Value, _ pc: Int) throws(FormulaError) -> Value {
        try Program.dynamicAdd(x, y, limit: maxStringBytes, site: site(pc))
    }

    /// The field named `strings[name]` of a record.
    @inline(never)
    func member(_ value: Value, _ name: Int, _ pc: Int) throws(FormulaError) -> Value {
        let field = strings[name].string
        if case .record(let fields) = value, let found = fields[field] { return found }
        throw site(pc).missingField(field, in: value)
    }

    @inline(never)
    func equals(_ x: Value, _ y: Value, isLoose: Bool, _ pc: Int) throws(FormulaError) -> Bool {
        try Program.equals(x, y, isLoose: isLoose, site: site(pc))
    }

    /// `===` of two strings (the checker typed both sides `string`; see `concatenate`).
    @inline(never)
    func equalStrings(_ x: Value, _ y: Value, _ pc: Int) throws(FormulaError) -> Bool {
        guard case .string(let a) = x else { throw site(pc).typeMismatch(expected: "a string", found: x) }
        guard case .string(let b) = y else { throw site(pc).typeMismatch(expected: "a string", found: y) }
        return jsStringEquals(a, b)
    }

    /// A returned value: any scalar (a record is an input only).
    @inline(never)
    func returnable(_ value: Value, _ pc: Int) throws(FormulaError) -> Value {
        if case .record = value { throw site(pc).typeMismatch(expected: "a returnable scalar", found: value) }
        return value
    }

    @inline(never)
    func mismatch(_ pc: Int, expected: String, _ value: Value) -> FormulaError {
        site(pc).typeMismatch(expected: expected, found: value)
    }
}
