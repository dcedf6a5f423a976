/// Where the baselines of macro variables come from.
package enum MacroBaselines: Sendable {
    /// `metadata.current_value` of the MACRO entity, else the latest `macro_data` row on or
    /// before `as_of` (docs/propagation.md): an ordinary scenario's.
    case current
    /// The latest `macro_data` row on or before `date`, else `metadata.current_value`: a replay
    /// of history, whose baseline is the world as it was on its first day (while formulas and
    /// coefficients are still resolved at the scenario's `as_of`: today's model).
    case history(on: String)
}
