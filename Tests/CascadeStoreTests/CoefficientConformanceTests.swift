@testable import CascadeStore
import Testing

@Suite("Sector coefficients (both backends)")
struct CoefficientConformanceTests {
    @Test(arguments: TestBackend.available)
    func theActiveValueIsTheLatestEffectiveRowOnOrBeforeTheDate(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let old = SectorCoefficient(sector: "SEMICONDUCTOR", coefficientType: "gdp_elasticity", value: 1.6, effectiveDate: "2024-01-01")
            let new = SectorCoefficient(sector: "SEMICONDUCTOR", coefficientType: "gdp_elasticity", value: 1.8, effectiveDate: "2025-01-01",
                                        rSquared: 0.85, dataSource: "Historical regression 2000-2024", notes: Fixtures.injection)
            #expect(try store.addCoefficient(old))
            #expect(try store.addCoefficient(new))
            #expect(try store.addCoefficient(new) == false)  // identical row: nothing appended

            #expect(try store.activeCoefficient(sector: "SEMICONDUCTOR", type: "gdp_elasticity", asOf: "2023-12-31") == nil)
            #expect(try store.activeCoefficient(sector: "SEMICONDUCTOR", type: "gdp_elasticity", asOf: "2024-06-30")?.value == 1.6)
            let current = try #require(try store.activeCoefficient(sector: "SEMICONDUCTOR", type: "gdp_elasticity", asOf: "2025-06-30"))
            #expect(current.value == 1.8)
            #expect(current.notes == Fixtures.injection)
            #expect(current.rSquared == 0.85)

            let off = try store.setCoefficientActive(id: String(new.id.prefix(8)), false)
            #expect(off.isActive == false)
            #expect(try store.activeCoefficient(sector: "SEMICONDUCTOR", type: "gdp_elasticity", asOf: "2025-06-30")?.value == 1.6)
            #expect(try store.coefficients(includeInactive: false).count == 1)
            #expect(try store.coefficients().count == 2)

            let audit = try store.auditLog(table: "sector_coefficients")
            #expect(audit.map(\.action) == ["add", "add", "deactivate"])
            #expect(audit.last?.before?["is_active"] == .bool(true))
            #expect(audit.last?.after?["is_active"] == .bool(false))
        }
    }

    @Test(arguments: TestBackend.available)
    func unknownIdsAreNotFound(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let error = #expect(throws: StoreError.self) { try store.setCoefficientActive(id: "deadbeef", false) }
            #expect(error?.kind == .notFound)
        }
    }

    @Test(arguments: TestBackend.available)
    func valuesKeepFullPrecision(_ backend: TestBackend) throws {
        try backend.withStore { store in
            let precise = SectorCoefficient(sector: "BANKING", coefficientType: "pricing_power", value: 0.123456789012345, effectiveDate: "2025-01-01")
            try store.addCoefficient(precise)
            #expect(try store.activeCoefficient(sector: "BANKING", type: "pricing_power", asOf: "2025-01-01")?.value == 0.123456789012345)
        }
    }
}
