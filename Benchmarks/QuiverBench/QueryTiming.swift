import Foundation

/// Per-query timing with the same method as the peers' `common.time_queries`:
/// every query runs one at a time on the calling thread; the first pass over ALL queries provides the
/// results (for recall) and is also the first timing pass; further passes repeat the timing (on a
/// prefix of the queries sized to about `maxPassSeconds` when a full pass is slower than that).
/// QPS, p50 and p99 are medians over passes.
struct QueryTiming {
    var qps: Double
    var qpsPasses: [Double]
    var p50ms: Double
    var p99ms: Double
    var timedQueries: [Int]
    /// Process CPU seconds / wall seconds over the timed passes (about 1.0: the thread had a core to itself).
    var cpuUtil: Double
    var loadAverage: Double

    var jsonFields: [(String, JSON)] {
        [
            ("qps_passes", .array(qpsPasses.map { .double($0) })),
            ("timed_queries", .array(timedQueries.map { .int($0) })),
            ("cpu_util", .double(cpuUtil)),
            ("loadavg_1m", .double(loadAverage)),
        ]
    }
}

func timeQueries<R>(
    count: Int, repeats: Int, maxPassSeconds: Double = 12.0, _ searchOne: (Int) throws -> R
) rethrows -> (results: [R], timing: QueryTiming) {
    var results: [R] = []
    results.reserveCapacity(count)
    var latency = [Double](repeating: 0, count: count)
    let cpu0 = processCPUSeconds()
    let wall0 = wallSeconds()
    for i in 0..<count {
        let t0 = wallSeconds()
        let r = try searchOne(i)
        latency[i] = wallSeconds() - t0
        results.append(r)
    }
    let firstTotal = wallSeconds() - wall0
    var passes = [latency]
    var prefix = count
    if firstTotal > maxPassSeconds {
        prefix = max(20, Int(Double(count) * maxPassSeconds / firstTotal))
    }
    for _ in 0..<max(0, repeats - 1) {
        var pass = [Double](repeating: 0, count: prefix)
        for i in 0..<prefix {
            let t0 = wallSeconds()
            _ = try searchOne(i)
            pass[i] = wallSeconds() - t0
        }
        passes.append(pass)
    }
    let cpuUtil = (processCPUSeconds() - cpu0) / max(1e-9, wallSeconds() - wall0)
    let qps = passes.map { Double($0.count) / $0.reduce(0, +) }
    let p50 = passes.map { percentile($0, 50) * 1e3 }
    let p99 = passes.map { percentile($0, 99) * 1e3 }
    return (results, QueryTiming(
        qps: rounded(median(qps), 1), qpsPasses: qps.map { rounded($0, 1) },
        p50ms: rounded(median(p50), 4), p99ms: rounded(median(p99), 4),
        timedQueries: passes.map(\.count), cpuUtil: rounded(cpuUtil, 3), loadAverage: loadAverage1m()))
}

/// Queries per second with every core busy: `threads` threads take queries `0..<count` in turn
/// (an atomic counter) for `passes` passes over the set; the median pass is returned.
func allCoresQPS(count: Int, threads: Int, passes: Int = 3, _ searchOne: @Sendable (Int) throws -> Void) -> Double {
    var rates: [Double] = []
    for _ in 0..<max(1, passes) {
        let next = AtomicCounter()
        let t0 = wallSeconds()
        DispatchQueue.concurrentPerform(iterations: max(1, threads)) { _ in
            while true {
                let i = next.increment()
                guard i < count else { break }
                _ = try? searchOne(i)
            }
        }
        rates.append(Double(count) / max(1e-9, wallSeconds() - t0))
    }
    return rounded(median(rates), 1)
}

/// A counter several threads increment.
final class AtomicCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    /// Returns the value before adding one.
    func increment() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value - 1
    }
}

/// ``timeQueries(count:repeats:maxPassSeconds:_:)`` for several ways of answering the same
/// queries, with the passes interleaved (a pass of each in turn, `repeats` times), so that a
/// noisy machine's slow and fast spells fall on every mode alike: for A/B comparisons in one run.
func timeQueriesInterleaved<R>(
    count: Int, repeats: Int, _ modes: [(Int) throws -> R]
) throws -> [(results: [R], timing: QueryTiming)] {
    var results = [[R]](repeating: [], count: modes.count)
    var passes = [[[Double]]](repeating: [], count: modes.count)
    let cpu0 = processCPUSeconds()
    let wall0 = wallSeconds()
    for round in 0..<max(1, repeats) {
        for (m, searchOne) in modes.enumerated() {
            var pass = [Double](repeating: 0, count: count)
            for i in 0..<count {
                let t0 = wallSeconds()
                let r = try searchOne(i)
                pass[i] = wallSeconds() - t0
                if round == 0 { results[m].append(r) }
            }
            passes[m].append(pass)
        }
    }
    let cpuUtil = (processCPUSeconds() - cpu0) / max(1e-9, wallSeconds() - wall0)
    return modes.indices.map { m in
        let qps = passes[m].map { Double($0.count) / $0.reduce(0, +) }
        let p50 = passes[m].map { percentile($0, 50) * 1e3 }
        let p99 = passes[m].map { percentile($0, 99) * 1e3 }
        return (results[m], QueryTiming(
            qps: rounded(median(qps), 1), qpsPasses: qps.map { rounded($0, 1) },
            p50ms: rounded(median(p50), 4), p99ms: rounded(median(p99), 4),
            timedQueries: passes[m].map(\.count), cpuUtil: rounded(cpuUtil, 3), loadAverage: loadAverage1m()))
    }
}
