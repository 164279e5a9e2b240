import Foundation
import Testing

/// The HTML report as a person sees it: rendered by headless Chromium (Debian package `chromium`).
///
/// Runs when Chromium is installed, and always in CI (the `CI` variable is set), where a missing Chromium fails
/// the test instead of skipping it silently.
@Suite(
    .serialized,
    .enabled(
        if: Chromium.executable != nil || ProcessInfo.processInfo.environment["CI"] != nil,
        "needs headless Chromium (apt-get install chromium)"))
struct HTMLScreenshotTests {
    static var chromium: URL? { Chromium.executable }

    /// Renders `page` to a PNG of 1200×900 and returns the PNG's bytes.
    static func screenshot(_ page: URL, in directory: URL, name: String) throws -> Data {
        let chromium = try #require(chromium, "Chromium is not installed (apt-get install -y chromium)")
        let png = directory.appendingPathComponent("\(name).png")
        let result = try MLGymCtlProcess.runExecutable(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--user-data-dir=\(directory.appendingPathComponent("profile-\(name)").path)",
                "--screenshot=\(png.path)", "--window-size=1200,900", page.absoluteString,
            ], currentDirectory: directory)
        #expect(result.status == 0, "chromium: \(result.standardError)")
        return try Data(contentsOf: png)
    }

    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],
            bytes[12..<16] == [0x49, 0x48, 0x44, 0x52]
        else { return nil }
        func int(_ offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20))
    }

    @Test func htmlReportRendersToANonTrivialScreenshotWithTheAUPTable() throws {
        let directory = try MLGymCtlProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = directory.appendingPathComponent("report.html")
        let made = try MLGymCtlProcess.run([
            "report", "--scores", MLGymCtlProcess.v1Scores, "--costs", MLGymCtlProcess.v1Costs, "--format", "html",
            "--out", report.path,
        ])
        #expect(made.status == 0, "\(made.standardError)")

        let blank = directory.appendingPathComponent("blank.html")
        try "<!DOCTYPE html><html><body></body></html>".write(to: blank, atomically: true, encoding: .utf8)

        let reportPNG = try Self.screenshot(report, in: directory, name: "report")
        let blankPNG = try Self.screenshot(blank, in: directory, name: "blank")
        let size = try #require(Self.pngSize(reportPNG), "not a PNG")
        #expect(size.width == 1200 && size.height == 900)
        // A uniform page compresses to almost nothing; text, tables and lines do not.
        #expect(reportPNG.count > 20_000)
        #expect(reportPNG.count > blankPNG.count * 5, "report \(reportPNG.count) bytes vs blank \(blankPNG.count)")

        // What Chromium built from the file: the AUP table with MLGym's numbers.
        let chromium = try #require(Self.chromium)
        let dom = try MLGymCtlProcess.runExecutable(
            chromium,
            [
                "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=\(directory.appendingPathComponent("profile-dom").path)", "--dump-dom",
                report.absoluteString,
            ], currentDirectory: directory)
        #expect(dom.standardOutput.contains("id=\"aup-table\""))
        #expect(dom.standardOutput.contains("<td>1.150</td><td>1.176</td>"))
    }

    @Test func svgPlotsRenderToANonTrivialScreenshot() throws {
        let directory = try MLGymCtlProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let svg = directory.appendingPathComponent("plots.svg")
        let made = try MLGymCtlProcess.run([
            "report", "--scores", MLGymCtlProcess.v1Scores, "--format", "svg", "--out", svg.path,
        ])
        #expect(made.status == 0, "\(made.standardError)")
        let png = try Self.screenshot(svg, in: directory, name: "svg")
        #expect(Self.pngSize(png) != nil)
        #expect(png.count > 20_000)
    }
}

/// Where Chromium is installed, if it is.
enum Chromium {
    static let executable: URL? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .map { URL(fileURLWithPath: $0) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}
