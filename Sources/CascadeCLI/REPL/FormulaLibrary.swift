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

    /// Reads formula version documents (`docs/formats.md`), e.g. the files in `Formulas/`.
    init(documents: [JSONValue]) throws {
        for document in documents {
            let name = document["name"]?.stringValue ?? ""
            let version = document["version"]?.numberValue.map { Int($0) } ?? (versions[name]?.count ?? 0) + 1
            add(try LoadedFormula(document: document, version: version))
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
