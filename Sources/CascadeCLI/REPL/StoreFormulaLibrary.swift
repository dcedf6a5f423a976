import CascadeJSON
import CascadeStore

/// The store's formula registry as the REPL's library. The store is opened at the first `:load` (or
/// Tab after `:load `), so that a REPL without a reachable store still does everything else.
final class StoreFormulaLibrary: FormulaLibrary {
    private let open: () throws -> Store
    private var store: Store?

    init(open: @escaping () throws -> Store) {
        self.open = open
    }

    func load(_ name: String, version: Int?) throws -> LoadedFormula {
        do {
            return LoadedFormula(try opened().formula(FormulaReference(name: name, version: version)))
        } catch let error as StoreError {
            // "Not found" names the formula; other failures also say which store they concern.
            let location = error.kind == .notFound ? nil : error.location
            throw FormulaLibraryError(message: location.map { "\($0): \(error.message)" } ?? error.message, hint: error.hint)
        }
    }

    func names() throws -> [String] {
        try opened().formulaSummaries().map(\.name)
    }

    /// The store, opened on first use.
    private func opened() throws -> Store {
        let store = try self.store ?? open()
        self.store = store
        return store
    }
}

extension LoadedFormula {
    /// A stored version with its declared parameters and test cases.
    init(_ stored: FormulaVersion) {
        let document = stored.document
        self.init(
            name: document.name, version: stored.version, text: document.formulaText,
            parameters: document.parameters.map { Parameter(name: $0.key, typeName: $0.value.stringValue ?? $0.value.serialized()) },
            description: document.description,
            testCases: document.testCases)
    }
}
