import CascadeFormula
import CascadeJSON

/// The rules a row of a world file's `entities` or `relationships` must meet beyond its JSON
/// shape, each defined once. `WorldDecoder`'s ordinary path reports every rule a row breaks, with
/// the field's place; its fast path (rows read by `WorldScanner`) asks the same rules whether a
/// row breaks any and hands such a row to the ordinary path, so both paths accept exactly the
/// same rows and only the ordinary one writes problems.
enum WorldRowRules {
    /// A broken rule: what the ordinary path reports at the field.
    struct Violation: Error, Equatable {
        var code: String
        var message: String
        var hint: String?
    }

    static let entityKeys: Set<String> = ["id", "type", "name", "description", "category", "ontology_level", "metadata"]
    static let relationshipKeys: Set<String> = ["id", "source_entity_id", "target_entity_id", "type", "weight", "impact_formula", "metadata"]

    /// Longest entity `name` and `category`, in Unicode scalars as the schema's CHECKs count them.
    static let maxNameLength = 255
    static let maxCategoryLength = 50

    private static let entityTypes = Set(SeedVocabulary.entityTypes)
    private static let relationshipTypes = Set(SeedVocabulary.relationshipTypes)

    static func entityType(_ type: String) throws(Violation) {
        guard entityTypes.contains(type) else {
            throw Violation(code: "world.unknown-type", message: "unknown entity type `\(type)`",
                            hint: "use one of " + SeedVocabulary.entityTypes.joined(separator: ", "))
        }
    }

    /// The level a number names: a whole number 0–9.
    static func ontologyLevel(_ level: Double) throws(Violation) -> Int {
        guard level.rounded() == level, let n = Int(exactly: level), SeedVocabulary.levels.contains(n) else {
            throw Violation(code: "world.level", message: "ontology level \(JSNumber.format(level)) is outside 0–9",
                            hint: "levels are whole numbers 0 (macro) to 9")
        }
        return n
    }

    static func relationshipType(_ type: String) throws(Violation) {
        guard relationshipTypes.contains(type) else {
            throw Violation(code: "world.unknown-type", message: "unknown relationship type `\(type)`",
                            hint: "use one of " + SeedVocabulary.relationshipTypes.joined(separator: ", "))
        }
    }

    static func weight(_ weight: Double) throws(Violation) {
        guard (0...1).contains(weight) else {
            throw Violation(code: "world.weight", message: "weight \(JSNumber.format(weight)) is outside 0–1",
                            hint: "a relationship's strength is a number from 0 to 1")
        }
    }

    /// `metadata.formula`: a string naming a registered formula, `name` or `name@version`.
    /// `text` is the member's text when it is a string; `shown` renders the member for the message.
    static func formulaReference(_ text: String?, shown: @autoclosure () -> String) throws(Violation) -> FormulaReference {
        guard let text, let reference = FormulaReference(text) else {
            throw Violation(code: "world.formula-reference",
                            message: "`metadata.formula` must be a string `name` or `name@version`, not \(shown())")
        }
        return reference
    }

    /// A relationship names its formula one way: inline or by reference.
    static func oneFormula(inline: Bool, byReference: Bool) throws(Violation) {
        if inline && byReference {
            throw Violation(code: "world.formula-reference",
                            message: "a relationship has either `impact_formula` or `metadata.formula`, not both")
        }
    }

    /// `metadata.bindings` is an object (parameter → expression text).
    static let bindingsObject = Violation(code: "world.binding",
                                          message: "`metadata.bindings` must be an object of parameter → expression")

    /// Each binding is an expression string.
    static func binding(_ key: String, isString: Bool, typeName: @autoclosure () -> String) throws(Violation) {
        guard isString else {
            throw Violation(code: "world.binding", message: "binding `\(key)` must be an expression string, not \(typeName())",
                            hint: "e.g. \"source.value\" or \"coeff.gdp_elasticity\"")
        }
    }
}
