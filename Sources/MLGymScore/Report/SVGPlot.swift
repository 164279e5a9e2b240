/// Plots for people: the performance profiles of both views on a log10 τ axis, and AUP against cost per run.
///
/// Every panel has a title, titled axes with ticks and a legend; the baseline is a dashed grey line so the eye
/// finds it, the other methods take colours from a palette meant for distinct hues. Output is plain SVG 1.1.
public enum SVGPlot {
    /// Tableau 10: ten hues people tell apart, also in greyscale print.
    static let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#b8860b", "#b07aa1", "#ff9da7", "#9c755f", "#17becf",
    ]
    static let baselineColor = "#666666"
    static let font = "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\""

    /// One SVG document with both profile panels side by side and the cost panel below them.
    public static func render(_ report: ScoreReport) -> String {
        let panelWidth = 600.0
        let panelHeight = 440.0
        let costHeight = 420.0
        let width = panelWidth * 2
        let height = 50 + panelHeight + costHeight
        var svg = header(width: width, height: height)
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        svg += "<text x=\"\(px(width / 2))\" y=\"32\" text-anchor=\"middle\" font-size=\"22\" font-weight=\"bold\" "
            + "\(font)>MLGym performance profiles and AUP (max log10 τ = \(NumberFormat.maxTau(report.analysis.maxTau)))</text>\n"
        svg += "<g transform=\"translate(0,50)\">\n"
            + profilePanel(report, .bestAttempt, width: panelWidth, height: panelHeight, standalone: false) + "</g>\n"
        svg += "<g transform=\"translate(\(px(panelWidth)),50)\">\n"
            + profilePanel(report, .bestSubmission, width: panelWidth, height: panelHeight, standalone: false)
            + "</g>\n"
        svg += "<g transform=\"translate(0,\(px(50 + panelHeight)))\">\n"
            + costPanel(report, width: width, height: costHeight, standalone: false) + "</g>\n"
        svg += "</svg>\n"
        return svg
    }

    /// The colour of each method: grey for the baseline, the palette in the table's method order for the others.
    static func colors(_ report: ScoreReport) -> [String: String] {
        var colors: [String: String] = [report.table.baseline: baselineColor]
        for (index, method) in report.table.methods.filter({ $0 != report.table.baseline }).enumerated() {
            colors[method] = palette[index % palette.count]
        }
        return colors
    }

    static func header(width: Double, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(px(width))\" height=\"\(px(height))\" "
            + "viewBox=\"0 0 \(px(width)) \(px(height))\" role=\"img\">\n"
    }

    /// A performance-profile panel: ρ(τ) step curves (the left-Riemann steps the AUP integrates) for every method.
    public static func profilePanel(
        _ report: ScoreReport, _ view: ScoreView, width: Double = 600, height: Double = 440, standalone: Bool = true
    ) -> String {
        let profile = report.analysis.profile(view)
        let maxTau = report.analysis.maxTau
        let left = 70.0, right = 20.0, top = 44.0, bottom = 60.0
        let x = PlotScale(domain: 0...max(maxTau, 0.1), range: left...(width - right), flipped: false)
        let y = PlotScale(domain: 0...1, range: top...(height - bottom), flipped: true)
        let colors = colors(report)
        var svg = standalone ? header(width: width, height: height) + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" : ""
        svg += "<text x=\"\(px(width / 2))\" y=\"26\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\" \(font)>"
            + "\(view.title): performance profile</text>\n"
        svg += axes(
            x: x, y: y, xTitle: "log10 τ (score ratio to the best method, log scale)",
            yTitle: "fraction of tasks within τ of the best, ρ(τ)", height: height)

        let order = report.methodsByAUP.sorted { profile.aup($0) > profile.aup($1) }
        // Draw the baseline first so the methods are on top of it.
        for method in order.sorted(by: { ($0 == report.table.baseline ? 0 : 1) < ($1 == report.table.baseline ? 0 : 1) }) {
            guard let curve = profile.curves[method] else { continue }
            var path = "M\(px(x(profile.grid[0]))),\(px(y(curve[0])))"
            for index in 1..<curve.count {
                path += "H\(px(x(profile.grid[index])))"
                if curve[index] != curve[index - 1] { path += "V\(px(y(curve[index])))" }
            }
            let dash = method == report.table.baseline ? " stroke-dasharray=\"7,4\"" : ""
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colors[method] ?? baselineColor)\" stroke-width=\"2.5\""
                + "\(dash) stroke-linejoin=\"round\"><title>\(Markup.escape(method))</title></path>\n"
        }

        // Legend, bottom right inside the plot: curves end at ρ = 1 there, so it covers nothing.
        let rowHeight = 19.0
        let legendWidth = 250.0
        let legendHeight = rowHeight * Double(order.count) + 30
        let legendX = width - right - legendWidth - 10
        let legendY = height - bottom - legendHeight - 10
        svg += "<rect x=\"\(px(legendX))\" y=\"\(px(legendY))\" width=\"\(px(legendWidth))\" height=\"\(px(legendHeight))\" "
            + "fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"#999999\"/>\n"
        svg += "<text x=\"\(px(legendX + 10))\" y=\"\(px(legendY + 18))\" font-size=\"13\" font-weight=\"bold\" \(font)>"
            + "method</text>\n"
        svg += "<text x=\"\(px(legendX + legendWidth - 10))\" y=\"\(px(legendY + 18))\" font-size=\"13\" "
            + "font-weight=\"bold\" text-anchor=\"end\" \(font)>AUP</text>\n"
        for (index, method) in order.enumerated() {
            let rowY = legendY + 36 + Double(index) * rowHeight
            let dash = method == report.table.baseline ? " stroke-dasharray=\"7,4\"" : ""
            svg += "<line x1=\"\(px(legendX + 10))\" y1=\"\(px(rowY - 4))\" x2=\"\(px(legendX + 36))\" y2=\"\(px(rowY - 4))\" "
                + "stroke=\"\(colors[method] ?? baselineColor)\" stroke-width=\"3\"\(dash)/>\n"
            svg += "<text x=\"\(px(legendX + 44))\" y=\"\(px(rowY))\" font-size=\"13\" \(font)>"
                + "\(Markup.escape(truncated(method, 24)))</text>\n"
            svg += "<text x=\"\(px(legendX + legendWidth - 10))\" y=\"\(px(rowY))\" font-size=\"13\" text-anchor=\"end\" "
                + "\(font)>\(NumberFormat.aup(profile.aup(method)))</text>\n"
        }
        if standalone { svg += "</svg>\n" }
        return svg
    }

    /// AUP (Best Attempt, as in MLGym's figure) against mean dollars per run, with the Pareto front dashed.
    public static func costPanel(_ report: ScoreReport, width: Double = 1200, height: Double = 420, standalone: Bool = true)
        -> String
    {
        let frontier = report.bestAttemptFrontier
        let left = 70.0, right = 40.0, top = 44.0, bottom = 60.0
        var svg = standalone ? header(width: width, height: height) + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n" : ""
        svg += "<text x=\"\(px(width / 2))\" y=\"26\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\" \(font)>"
            + "Best Attempt AUP versus cost per run</text>\n"
        guard !frontier.points.isEmpty else {
            svg += "<rect x=\"\(px(left))\" y=\"\(px(top))\" width=\"\(px(width - left - right))\" "
                + "height=\"\(px(height - top - bottom))\" fill=\"#f7f7f7\" stroke=\"#cccccc\"/>\n"
            svg += "<text x=\"\(px(width / 2))\" y=\"\(px(height / 2))\" text-anchor=\"middle\" font-size=\"15\" "
                + "fill=\"#555555\" \(font)>No cost data: give run records (--runs) or a cost table (--costs)</text>\n"
            if standalone { svg += "</svg>\n" }
            return svg
        }
        let maxCost = frontier.points.map(\.dollarsPerRun).max() ?? 1
        let aups = frontier.points.map(\.aup)
        let lowAUP = ((aups.min() ?? 0) * 10 - 0.5).rounded(.down) / 10
        let highAUP = max(((aups.max() ?? 1) * 10 + 0.5).rounded(.up) / 10, lowAUP + 0.1)
        let x = PlotScale(domain: 0...PlotScale.niceUpperBound(maxCost * 1.08), range: left...(width - right), flipped: false)
        let y = PlotScale(domain: max(0, lowAUP)...highAUP, range: top...(height - bottom), flipped: true)
        svg += axes(x: x, y: y, xTitle: "mean cost per run (US $)", yTitle: "Best Attempt AUP", height: height)

        let colors = colors(report)
        let front = frontier.points.filter { frontier.front.contains($0.method) }
        if front.count > 1 {
            let points = front.map { "\(px(x($0.dollarsPerRun))),\(px(y($0.aup)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1.5\" "
                + "stroke-dasharray=\"5,4\"/>\n"
        }
        var placed: [(Double, Double, Double, Double)] = frontier.points.map { (x($0.dollarsPerRun) - 7, y($0.aup) - 7, 14, 14) }
        for point in frontier.points {
            let cx = x(point.dollarsPerRun), cy = y(point.aup)
            let onFront = frontier.front.contains(point.method)
            svg += "<circle cx=\"\(px(cx))\" cy=\"\(px(cy))\" r=\"7\" fill=\"\(colors[point.method] ?? baselineColor)\" "
                + "stroke=\"\(onFront ? "#000000" : "#ffffff")\" stroke-width=\"\(onFront ? "2" : "1")\">"
                + "<title>\(Markup.escape(point.method))</title></circle>\n"
            let label = "\(truncated(point.method, 28)) (\(NumberFormat.aup(point.aup)), \(NumberFormat.dollars(point.dollarsPerRun)))"
            let labelWidth = Double(label.count) * 7.8
            let candidates = [
                (cx + 11, cy - 17), (cx + 11, cy + 3), (cx - 11 - labelWidth, cy - 17), (cx - 11 - labelWidth, cy + 3),
                (cx - labelWidth / 2, cy - 32), (cx - labelWidth / 2, cy + 14),
            ]
            let inside = candidates.filter { $0.0 >= left && $0.0 + labelWidth <= width - right && $0.1 >= top }
            let spot = inside.first { spot in
                !placed.contains { overlaps((spot.0, spot.1, labelWidth, 16), $0) }
            } ?? inside.first ?? candidates[0]
            placed.append((spot.0, spot.1, labelWidth, 16))
            svg += "<text x=\"\(px(spot.0))\" y=\"\(px(spot.1 + 12))\" font-size=\"13\" \(font)>\(Markup.escape(label))</text>\n"
        }
        let legendX = width - right - 310
        svg += "<rect x=\"\(px(legendX))\" y=\"\(px(height - bottom - 56))\" width=\"300\" height=\"46\" fill=\"#ffffff\" "
            + "stroke=\"#999999\"/>\n"
        svg += "<line x1=\"\(px(legendX + 10))\" y1=\"\(px(height - bottom - 38))\" x2=\"\(px(legendX + 40))\" "
            + "y2=\"\(px(height - bottom - 38))\" stroke=\"#333333\" stroke-width=\"1.5\" stroke-dasharray=\"5,4\"/>\n"
        svg += "<text x=\"\(px(legendX + 48))\" y=\"\(px(height - bottom - 34))\" font-size=\"13\" \(font)>Pareto front</text>\n"
        svg += "<circle cx=\"\(px(legendX + 25))\" cy=\"\(px(height - bottom - 21))\" r=\"6\" fill=\"#bbbbbb\" stroke=\"#000000\" "
            + "stroke-width=\"2\"/>\n"
        svg += "<text x=\"\(px(legendX + 48))\" y=\"\(px(height - bottom - 17))\" font-size=\"13\" \(font)>"
            + "method on the front (AUP, $ per run)</text>\n"
        if standalone { svg += "</svg>\n" }
        return svg
    }

    /// Grid lines, ticks, tick labels and axis titles of a panel.
    static func axes(x: PlotScale, y: PlotScale, xTitle: String, yTitle: String, height: Double) -> String {
        var svg = ""
        let xTicks = x.ticks(count: 6), yTicks = y.ticks(count: 5)
        let xStep = xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1
        let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        for tick in xTicks {
            let position = px(x(tick))
            svg += "<line x1=\"\(position)\" y1=\"\(px(y.range.lowerBound))\" x2=\"\(position)\" y2=\"\(px(y.range.upperBound))\" "
                + "stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(position)\" y=\"\(px(y.range.upperBound + 20))\" text-anchor=\"middle\" font-size=\"13\" "
                + "\(font)>\(PlotScale.label(tick, step: xStep))</text>\n"
        }
        for tick in yTicks {
            let position = px(y(tick))
            svg += "<line x1=\"\(px(x.range.lowerBound))\" y1=\"\(position)\" x2=\"\(px(x.range.upperBound))\" y2=\"\(position)\" "
                + "stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(px(x.range.lowerBound - 8))\" y=\"\(position)\" dy=\"4\" text-anchor=\"end\" font-size=\"13\" "
                + "\(font)>\(PlotScale.label(tick, step: yStep))</text>\n"
        }
        svg += "<rect x=\"\(px(x.range.lowerBound))\" y=\"\(px(y.range.lowerBound))\" "
            + "width=\"\(px(x.range.upperBound - x.range.lowerBound))\" height=\"\(px(y.range.upperBound - y.range.lowerBound))\" "
            + "fill=\"none\" stroke=\"#333333\"/>\n"
        let middleX = (x.range.lowerBound + x.range.upperBound) / 2
        let middleY = (y.range.lowerBound + y.range.upperBound) / 2
        svg += "<text x=\"\(px(middleX))\" y=\"\(px(height - 14))\" text-anchor=\"middle\" font-size=\"14\" \(font)>"
            + "\(Markup.escape(xTitle))</text>\n"
        svg += "<text x=\"20\" y=\"\(px(middleY))\" text-anchor=\"middle\" font-size=\"14\" "
            + "transform=\"rotate(-90 20 \(px(middleY)))\" \(font)>\(Markup.escape(yTitle))</text>\n"
        return svg
    }

    static func overlaps(_ a: (Double, Double, Double, Double), _ b: (Double, Double, Double, Double)) -> Bool {
        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
    }

    static func truncated(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
