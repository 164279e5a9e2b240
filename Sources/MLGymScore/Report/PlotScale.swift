import Foundation

/// A linear map from data values to SVG pixels, with "nice" tick values (1, 2, 2.5 or 5 × a power of ten), so
/// axes read like a person drew them.
struct PlotScale {
    let domain: ClosedRange<Double>
    let range: ClosedRange<Double>
    /// When true, larger values map to smaller pixels (a y axis: SVG's y grows downwards).
    let flipped: Bool

    func callAsFunction(_ value: Double) -> Double {
        let span = domain.upperBound - domain.lowerBound
        let fraction = span > 0 ? (value - domain.lowerBound) / span : 0
        let position = flipped ? 1 - fraction : fraction
        return range.lowerBound + position * (range.upperBound - range.lowerBound)
    }

    /// Tick values inside the domain, about `count` of them.
    func ticks(count: Int = 6) -> [Double] {
        let step = PlotScale.niceStep(domain.upperBound - domain.lowerBound, count: count)
        guard step > 0 else { return [domain.lowerBound] }
        var ticks: [Double] = []
        var index = (domain.lowerBound / step).rounded(.up)
        while index * step <= domain.upperBound + step * 1e-9 {
            ticks.append(index * step)
            index += 1
        }
        return ticks
    }

    static func niceStep(_ span: Double, count: Int) -> Double {
        guard span > 0, count > 0 else { return 0 }
        let raw = span / Double(count)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for multiple in [1, 2, 2.5, 5, 10] where multiple * magnitude >= raw {
            return multiple * magnitude
        }
        return 10 * magnitude
    }

    /// A domain from 0 (or below the data) up to a nice value above `maximum`.
    static func niceUpperBound(_ maximum: Double, count: Int = 6) -> Double {
        guard maximum > 0 else { return 1 }
        let step = niceStep(maximum, count: count)
        return (maximum / step).rounded(.up) * step
    }

    /// Formats a tick value with no more decimals than its step needs.
    static func label(_ value: Double, step: Double) -> String {
        var decimals = 0
        while decimals < 6 {
            let scaled = step * pow(10, Double(decimals))
            if abs(scaled - scaled.rounded()) < 1e-9 { break }
            decimals += 1
        }
        return String(format: "%.\(decimals)f", value)
    }
}

/// Pixel coordinates written with one decimal: enough for a screen, and small files.
func px(_ value: Double) -> String {
    String(format: "%.1f", value)
}
