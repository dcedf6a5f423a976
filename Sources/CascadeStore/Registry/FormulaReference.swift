/// `name` or `name@version`, as written on the command line and in `metadata.formula`.
package struct FormulaReference: Hashable, Sendable, CustomStringConvertible {
    package var name: String
    package var version: Int?

    package init(name: String, version: Int? = nil) {
        self.name = name
        self.version = version
    }

    /// Parses `name[@version]`; nil when the version part is not a positive integer.
    package init?(_ text: String) {
        guard let at = text.lastIndex(of: "@") else {
            guard !text.isEmpty else { return nil }
            self.init(name: text)
            return
        }
        let name = String(text[..<at])
        guard !name.isEmpty, let version = Int(text[text.index(after: at)...]), version >= 1 else { return nil }
        self.init(name: name, version: version)
    }

    package var description: String { version.map { "\(name)@\($0)" } ?? name }
}

extension FormulaReference {
    /// Parses a `NAME[@VERSION]` given on the command line or in a request (`--use`, `?use=`), with a
    /// hint when malformed; `location` names where it was given.
    package static func parseArgument(_ text: String, requireVersion: Bool = false, location: String = "argument") throws -> FormulaReference {
        guard let reference = FormulaReference(text), !requireVersion || reference.version != nil else {
            throw StoreError(.invalidInput, "`\(text)` is not a formula reference", location: location,
                             hint: requireVersion ? "write NAME@VERSION, e.g. gdp_sector_impact@1" : "write NAME or NAME@VERSION, e.g. gdp_sector_impact@1")
        }
        return reference
    }
}
