/// The sublinear term weight `1 + ln(tf)`, computed without the platform's `log`.
///
/// Platform math libraries may round `log` differently in the last bit; this version uses
/// only IEEE-754 addition, multiplication and division in a fixed order, so the weight (and
/// hence every encoded vector) is bit-identical on every platform.
enum TermWeight {
    /// Weights for counts 0 through 63, precomputed once (index 0 is unused).
    private static let table: [Float] = (0..<64).map { count in
        count == 0 ? 0 : Float(1 + naturalLog(Double(count)))
    }

    /// Returns `1 + ln(count)` as a `Float`; `count` must be at least 1.
    static func weight(forCount count: Int) -> Float {
        if count == 1 { return 1 }
        if count < table.count { return table[count] }
        return Float(1 + naturalLog(Double(count)))
    }

    /// Returns the natural logarithm of `x` (which must be at least 1), accurate to a few ulps.
    ///
    /// Reduces `x` to `m · 2^e` with `m` in (√½, √2], then sums the series
    /// `ln m = 2 · (s + s³/3 + s⁵/5 + …)` with `s = (m − 1)/(m + 1)`, `|s| < 0.172`.
    static func naturalLog(_ x: Double) -> Double {
        let ln2 = 0.693_147_180_559_945_3
        let sqrt2 = 1.414_213_562_373_095_1
        var mantissa = x
        var exponent = 0
        while mantissa >= 2 {
            mantissa *= 0.5
            exponent += 1
        }
        if mantissa > sqrt2 {
            mantissa *= 0.5
            exponent += 1
        }
        let s = (mantissa - 1) / (mantissa + 1)
        let s2 = s * s
        var series = 0.0
        // s2 < 0.0295, so 15 terms put the truncation error far below Double precision.
        var term = 14
        while term >= 0 {
            series = series * s2 + 1 / Double(2 * term + 1)
            term -= 1
        }
        return Double(exponent) * ln2 + 2 * s * series
    }
}
