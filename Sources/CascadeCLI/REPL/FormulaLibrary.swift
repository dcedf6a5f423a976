import CascadeJSON

/// Where the REPL's `:load` finds registered formulas: the store's registry, or an in-memory
/// set of formula version documents (tests, and before a store is available).
protocol FormulaLibrary {
    /// The version `version` of `name`, or its latest version when `version` is nil.
    func load(_ name: String, version: Int?) throws -> LoadedFormula
    /// The registered formula names (what `:load` completes).
    func names() throws -> [String]
}

/// A failure to find or read a formula in a library.
struct FormulaLibraryError: Error, CustomStringConvertible {
    var message: String
    var hint: String?

    var description: String { message + (hint.map { " (hint: \($0))" } ?? "") }
}

/// Formula version documents held in memory, versioned 1, 2, 3… per name in the order given
/// (or by their `version` field).
struct InMemoryFormulaLibrary: FormulaLibrary {
    private(set) var versions: [String: [LoadedFormula]] = [:]

    init(_ formulas: [LoadedFormula] = []) {
        for formula in formulas { add(formula) }
    }

    /// Reads formula version documents (`docs/formats.md`), e.g. the files in `Formulas/`, each
    /// as `LoadedFormula.decode` reads it; one without a `version` is the next of its name. Every
    /// problem of every document is collected, and any refuses them all.
    init(documents: [JSONValue]) throws {
        try self.init(documents.map { ($0, JSONPath.root) }, file: nil, source: nil)
    }

    /// Reads the formula version documents of a file (`source`, named `file`): one document, or
    /// an array of them; each problem is reported at `FILE:LINE:COLUMN: $.path`.
    init(source: [UInt8], file: String) throws {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes: source) } catch {
            throw FormulaLibraryError(message: "\(error.place(file: file)): not valid JSON: \(error.message)", hint: "fix the JSON syntax")
        }
        let documents: [(value: JSONValue, path: JSONPath)] = value.arrayValue.map { array in
            array.indices.map { (array[$0], JSONPath.root.appending($0)) }
        } ?? [(value, .root)]
        try self.init(documents, file: file, source: source)
    }

    private init(_ documents: [(value: JSONValue, path: JSONPath)], file: String?, source: [UInt8]?) throws {
        var refused: [String] = []
        for document in documents {
            var problems: [Problem] = []
            guard let (formula, hasVersion) = LoadedFormula.decode(document.value, at: document.path, file: file, problems: &problems) else {
                let name = document.value["name"]?.stringValue.map { "`\($0)`: " } ?? ""
                refused.append(name + (source.map { problems.located(in: $0) } ?? problems).map(\.description).joined(separator: "; "))
                continue
            }
            var versioned = formula
            if !hasVersion { versioned.version = (versions[formula.name]?.count ?? 0) + 1 }
            add(versioned)
        }
        guard refused.isEmpty else {
            throw FormulaLibraryError(message: "formula document: " + refused.joined(separator: "; "), hint: "fix every problem listed")
        }
    }

    mutating func add(_ formula: LoadedFormula) {
        versions[formula.name, default: []].append(formula)
        versions[formula.name]?.sort { $0.version < $1.version }
    }

    func names() -> [String] { versions.keys.sorted() }

    func load(_ name: String, version: Int?) throws -> LoadedFormula {
        guard let all = versions[name], let latest = all.last else {
            let names = versions.keys.sorted()
            throw FormulaLibraryError(message: "no formula `\(name)` in the registry",
                                      hint: names.isEmpty ? nil : "registered: " + names.joined(separator: ", "))
        }
        guard let version else { return latest }
        guard let found = all.first(where: { $0.version == version }) else {
            throw FormulaLibraryError(message: "no formula `\(name)@\(version)` in the registry",
                                      hint: "`\(name)` has versions " + all.map { String($0.version) }.joined(separator: ", "))
        }
        return found
    }
}
