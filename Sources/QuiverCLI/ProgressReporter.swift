import Foundation
import Quiver

/// Shows import progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise.
final class ProgressReporter {
    private let label: String
    private let start = Date()
    private var lastLine = Date.distantPast
    private let interactive = StandardError.isTerminal
    private var drewBar = false

    init(label: String) {
        self.label = label
    }

    var elapsedDescription: String {
        String(format: "%.1f s", Date().timeIntervalSince(start))
    }

    func update(_ progress: ImportProgress) {
        let now = Date()
        let elapsed = max(now.timeIntervalSince(start), 1e-6)
        let rate = Double(progress.rowsCommitted) / elapsed
        let fraction = progress.totalBytes > 0 ? Double(progress.bytesRead) / Double(progress.totalBytes) : 1
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
        let stats = String(
            format: "%3.0f%% %d rows  %.0f rows/s  ETA %@", fraction * 100, progress.rowsCommitted, rate,
            Self.duration(eta))
        if interactive {
            let width = 30
            let filled = Int((fraction * Double(width)).rounded(.down))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            StandardError.write("\r\(label) [\(bar)] \(stats)\u{1B}[K")
            drewBar = true
        } else if now.timeIntervalSince(lastLine) >= 2 {
            lastLine = now
            StandardError.write("\(label): \(stats)\n")
        }
    }

    func finish() {
        if drewBar { StandardError.write("\n") }
    }

    private static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String(format: "%d:%02d", s / 60, s % 60)
    }
}
