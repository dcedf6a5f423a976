import CascadeFormula
import CascadeJSON
import CascadeStore

/// The modifications of a what-if: macro variables set, entity shocks set and level settings
/// changed, applied over a base scenario's document to give the modified scenario.
///
/// The JSON form (stored with a session, the body of `POST /v1/whatif`) is
/// `{"set": {"fed_funds_rate": 0.03}, "shocks": {"co-nvidia": -0.1}, "levels": {"3": {"damping": 0.5}}}`;
/// values are written as in a scenario file (a number, or `{"value": 25, "unit": "bp"}`), so the
/// modified scenario goes through the same validation as a submitted one.
package struct WhatIfChanges: Sendable, Equatable {
    /// Variable → value, as the scenario file writes it.
    package var macroVariables: JSONObject
    /// Entity id → relative shock.
    package var entityShocks: JSONObject
    /// Level ("0"…"9") → level-setting field → value.
    package var levelSettings: JSONObject

    package init(macroVariables: JSONObject = JSONObject(), entityShocks: JSONObject = JSONObject(), levelSettings: JSONObject = JSONObject()) {
        self.macroVariables = macroVariables
        self.entityShocks = entityShocks
        self.levelSettings = levelSettings
    }

    package var isEmpty: Bool { macroVariables.isEmpty && entityShocks.isEmpty && levelSettings.isEmpty }

    /// These changes followed by `later` (a later value of the same key wins).
    package func merged(with later: WhatIfChanges) -> WhatIfChanges {
        var out = self
        for (key, value) in later.macroVariables { out.macroVariables[key] = value }
        for (key, value) in later.entityShocks { out.entityShocks[key] = value }
        for (level, fields) in later.levelSettings {
            var merged = out.levelSettings[level]?.objectValue ?? JSONObject()
            for (field, value) in fields.objectValue ?? JSONObject() { merged[field] = value }
            out.levelSettings[level] = .object(merged)
        }
        return out
    }

    /// The base document with these changes made, named `name` (validated when submitted).
    package func applied(to base: JSONValue, name: String) -> JSONValue {
        var document = base.objectValue ?? JSONObject()
        document["name"] = .string(name)
        func merge(_ key: String, _ changes: JSONObject) {
            guard !changes.isEmpty else { return }
            var object = document[key]?.objectValue ?? JSONObject()
            for (k, v) in changes { object[k] = v }
            document[key] = .object(object)
        }
        merge("macro_variables", macroVariables)
        merge("entity_shocks", entityShocks)
        if !levelSettings.isEmpty {
            var levels = document["level_settings"]?.objectValue ?? JSONObject()
            for (level, fields) in levelSettings {
                var settings = levels[level]?.objectValue ?? JSONObject()
                for (field, value) in fields.objectValue ?? JSONObject() { settings[field] = value }
                levels[level] = .object(settings)
            }
            document["level_settings"] = .object(levels)
        }
        return .object(document)
    }

    /// The JSON form (`set`, `shocks`, `levels`; empty members left out).
    package var json: JSONValue {
        var object = JSONObject()
        if !macroVariables.isEmpty { object["set"] = .object(macroVariables) }
        if !entityShocks.isEmpty { object["shocks"] = .object(entityShocks) }
        if !levelSettings.isEmpty { object["levels"] = .object(levelSettings) }
        return .object(object)
    }

    /// One line per change, as the command line writes it (`fed_funds_rate=0.03`, `shock co-nvidia=-0.1`, `3.damping=0.5`).
    package var lines: [String] {
        macroVariables.map { "\($0.key)=\(Self.text($0.value))" }
            + entityShocks.map { "shock \($0.key)=\(Self.text($0.value))" }
            + levelSettings.flatMap { level in
                (level.value.objectValue ?? JSONObject()).map { "level \(level.key).\($0.key)=\(Self.text($0.value))" }
            }
    }

    /// A value as the command line writes it: `0.03`, `3%` for `{"value": 3, "unit": "%"}`, else its JSON.
    static func text(_ value: JSONValue) -> String {
        if let number = value["value"]?.numberValue, let unit = value["unit"]?.stringValue, value.objectValue?.count == 2 {
            return JSNumber.format(number) + unit
        }
        return value.serialized()
    }

    /// Reads the JSON form; every problem is reported with its path, and no change is made.
    package static func parse(_ value: JSONValue, at root: JSONPath = JSONPath()) throws(ScenarioError) -> WhatIfChanges {
        var problems: [Problem] = []
        let changes = JSONReader(value, at: root, what: "what-if changes (an object with `set`, `shocks` and/or `levels`)", problems: &problems)
            .flatMap { reader -> WhatIfChanges? in
                reader.rejectUnknownKeys(["set", "shocks", "levels"], problems: &problems)
                return read(reader, problems: &problems)
            }
        guard let changes, problems.isEmpty else { throw ScenarioError(problems: problems) }
        return changes
    }

    /// Reads the members `set`, `shocks` and `levels` of `reader` (a stored session's
    /// modifications, or a request body that has other members too) with the one document reader;
    /// the caller rejects unknown keys, as only it knows the others.
    package static func read(_ reader: JSONReader, problems: inout [Problem]) -> WhatIfChanges? {
        let before = problems.count
        var changes = WhatIfChanges()
        changes.macroVariables = reader.nested("set", what: "`set` (an object of variable → value)", problems: &problems)?.object ?? JSONObject()
        changes.entityShocks = reader.nested("shocks", what: "`shocks` (an object of entity id → value)", problems: &problems)?.object ?? JSONObject()
        if let levels = reader.nested("levels", what: "`levels` (an object keyed by level \"0\" … \"9\")", problems: &problems) {
            // Field → value; the fields themselves are checked with the modified scenario.
            for (level, fields) in levels.object where fields.objectValue == nil {
                problems.append(levels.problem(level, "json.type", "must be an object of level-setting field → value, not \(fields.typeName)"))
            }
            changes.levelSettings = levels.object
        }
        return problems.count == before ? changes : nil
    }
}

extension WhatIfChanges {
    /// Adds one command-line change: `option` is `--set` (`VARIABLE=VALUE`), `--shock`
    /// (`ENTITY=VALUE`) or `--level` (`LEVEL.FIELD=VALUE`). VALUE is a number, a number with `%`
    /// or `bp` (the explicit unit form), or for level fields any JSON value (`true`, `[-0.5, 0.5]`).
    /// Bad syntax is an `invalidInput` error naming the option and what it expects.
    package mutating func add(_ option: String, _ text: String) throws {
        let usage = switch option {
        case "--set": "VARIABLE=VALUE, e.g. `--set fed_funds_rate=0.03` or `--set fed_funds_rate=3%`"
        case "--shock": "ENTITY=VALUE, e.g. `--shock co-nvidia=-0.1`"
        default: "LEVEL.FIELD=VALUE, e.g. `--level 3.damping=0.5`"
        }
        func refuse(_ why: String) -> StoreError {
            StoreError(.invalidInput, "`\(option) \(text)`: \(why)", hint: "write \(option) \(usage)")
        }
        guard let equals = text.firstIndex(of: "=") else { throw refuse("no `=`") }
        let key = String(text[..<equals]), valueText = String(text[text.index(after: equals)...])
        guard !key.isEmpty else { throw refuse("nothing before `=`") }
        guard !valueText.isEmpty else { throw refuse("no value after `=`") }
        let value: JSONValue
        if let number = Self.number(valueText) {
            value = number
        } else if option == "--level", let parsed = try? JSONValue.parse(valueText) {
            value = parsed
        } else {
            throw refuse("`\(valueText)` is not a number" + (option == "--level" ? " or a JSON value" : "") + " (a unit may follow: `%`, `bp`)")
        }
        switch option {
        case "--set": macroVariables[key] = value
        case "--shock": entityShocks[key] = value
        default:
            let parts = key.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let level = Int(parts[0]), (0...9).contains(level), !parts[1].isEmpty else {
                throw refuse("`\(key)` is not LEVEL.FIELD with a level from 0 to 9")
            }
            var fields = levelSettings[String(level)]?.objectValue ?? JSONObject()
            fields[String(parts[1])] = value
            levelSettings[String(level)] = .object(fields)
        }
    }

    /// `0.03` → 0.03; `3%` → `{"value": 3, "unit": "%"}`; `25bp` → `{"value": 25, "unit": "bp"}`.
    static func number(_ text: String) -> JSONValue? {
        for unit in ["%", "bp"] where text.hasSuffix(unit) {
            guard case .number(let x)? = try? JSONValue.parse(String(text.dropLast(unit.count))) else { return nil }
            return .object(JSONObject([("value", .number(x)), ("unit", .string(unit))]))
        }
        guard case .number(let x)? = try? JSONValue.parse(text) else { return nil }
        return .number(x)
    }
}
