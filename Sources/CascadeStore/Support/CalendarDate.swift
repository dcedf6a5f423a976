import Foundation

/// Calendar dates as the store keeps them: `YYYY-MM-DD`, proleptic Gregorian.
package enum CalendarDate {
    /// Whether `text` is a real `YYYY-MM-DD` date (2024-02-30 is not).
    package static func isValid(_ text: String) -> Bool { parse(text) != nil }

    /// Today's date in UTC (a scenario's default as-of date).
    package static func today() -> String { Timestamp.day(Date()) }

    /// The year (1…9999), month and day of a `YYYY-MM-DD` date; nil for anything else (the one
    /// reading of dates: scenario `as_of`, effective dates and query parameters all use it).
    package static func parse(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard bytes[i] >= 0x30, bytes[i] <= 0x39 else { return nil }
                n = n * 10 + Int(bytes[i] - 0x30)
            }
            return n
        }
        guard let y = number(0..<4), let m = number(5..<7), let d = number(8..<10),
              y >= 1, (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y) else { return nil }
        return (y, m, d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Reads a date, accepting a quarter (`2024-Q1`, `2024Q3`) as the last day of that quarter —
    /// the date a quarter's financial statements are as of. Returns nil for anything else.
    package static func normalized(_ text: String) -> String? {
        if isValid(text) { return text }
        let upper = text.uppercased()
        let parts = upper.contains("-Q") ? upper.split(separator: "-") : upper.split(separator: "Q").map { Substring($0) }
        var yearText: Substring?
        var quarterText: Substring?
        if upper.contains("-Q"), parts.count == 2, parts[1].hasPrefix("Q") {
            yearText = parts[0]
            quarterText = parts[1].dropFirst()
        } else if !upper.contains("-"), parts.count == 2 {
            yearText = parts[0]
            quarterText = parts[1]
        }
        guard let yearText, let quarterText, yearText.count == 4, let year = Int(yearText), year >= 1,
              let quarter = Int(quarterText), (1...4).contains(quarter) else { return nil }
        let month = quarter * 3
        let day = daysIn(month: month, year: year)
        return "\(yearText)-\(month < 10 ? "0" : "")\(month)-\(day)"
    }
}
