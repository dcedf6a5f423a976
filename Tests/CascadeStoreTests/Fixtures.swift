import CascadeJSON
@testable import CascadeStore

enum Fixtures {
    static let gdpText = "return (gdpGrowth - baseline) * elasticity * 100;"

    static func document(
        name: String = "gdp_sector_impact", text: String = gdpText, expected: Double = 1.8,
        effectiveDate: String = "2025-01-01", description: String = "GDP shock to sector"
    ) throws -> FormulaDocument {
        let json = """
        {"name": \(JSONValue.string(name).serialized()), "formula_type": "IMPACT_CALCULATION",
         "formula_text": \(JSONValue.string(text).serialized()),
         "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"},
         "effective_date": "\(effectiveDate)", "r_squared": 0.82, "mae": null, "rmse": null,
         "description": \(JSONValue.string(description).serialized()), "created_by": "calibration-2025q1",
         "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": \(expected), "tolerance": 1e-9}]}
        """
        var problems: [Problem] = []
        guard let doc = FormulaDocument.decode(try JSONValue.parse(json), problems: &problems) else {
            throw StoreError(.invalidInput, "fixture does not decode", problems: problems)
        }
        return doc
    }

    static let injection = "'); DROP TABLE formulas; --"

    /// A small valid world, as JSON text.
    static func world(extraEntities: String = "", extraRelationships: String = "") -> String {
        """
        {
          "entities": [
            {"id": "fed", "type": "MACRO", "name": "Fed Funds Rate", "category": "INTEREST_RATE", "ontology_level": 1,
             "metadata": {"unit": "%", "current_value": 5.25}},
            {"id": "semis", "type": "SECTOR", "name": "Semiconductor", "category": "TECHNOLOGY", "ontology_level": 2,
             "metadata": {"gdp_elasticity": 1.8}},
            {"id": "nvda", "type": "COMPANY", "name": "NVIDIA", "category": "SEMICONDUCTOR", "ontology_level": 3,
             "metadata": {"ticker": "NVDA", "market_cap": 3000000}},
            {"id": "h100", "type": "PRODUCT", "name": "H100 GPU", "category": "AI_CHIP", "ontology_level": 4},
            {"id": "hbm3e", "type": "COMPONENT", "name": "HBM3E Memory", "category": "MEMORY", "ontology_level": 5}\(extraEntities)
          ],
          "relationships": [
            {"id": "r1", "source_entity_id": "h100", "target_entity_id": "hbm3e", "type": "REQUIRES", "weight": 0.95,
             "impact_formula": "return -0.25;",
             "metadata": {"propagation": {"direction": "reverse", "channel": "bottleneck"}}},
            {"id": "r2", "source_entity_id": "fed", "target_entity_id": "semis", "type": "IMPACTS", "weight": 0.5,
             "metadata": {"formula": "gdp_sector_impact", "bindings": {"gdpGrowth": "source.value", "baseline": "source.baseline", "elasticity": "coeff.gdp_elasticity"}}},
            {"id": "r3", "source_entity_id": "semis", "target_entity_id": "nvda", "type": "CONTAINS", "weight": 0.9}\(extraRelationships)
          ],
          "sector_coefficients": [
            {"sector": "SEMICONDUCTOR", "coefficient_type": "gdp_elasticity", "value": 1.8, "effective_date": "2025-01-01",
             "is_active": true, "r_squared": 0.85, "data_source": "Historical regression 2000-2024"}
          ],
          "macro_data": [{"date": "2024-01-01", "variable_name": "fed_funds_rate", "value": 5.25, "unit": "%"}],
          "financial_data": [{"entity_id": "nvda", "date": "2024-Q1", "revenue": 60922, "net_income": 14881, "market_cap": 3000000, "data_source": "MANUAL"}],
          "formulas": [
            {"name": "gdp_sector_impact", "formula_type": "IMPACT_CALCULATION",
             "formula_text": "return (gdpGrowth - baseline) * elasticity * 100;",
             "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"},
             "effective_date": "2025-01-01", "test_cases": [{"inputs": {"gdpGrowth": 0.03, "baseline": 0.02, "elasticity": 1.8}, "expected": 1.8}]}
          ]
        }
        """
    }
}
