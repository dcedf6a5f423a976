import CascadeStore
import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// What `GET /metrics` shows, in Prometheus' text format (swift-prometheus keeps the series):
/// requests by route and status with their latency, rate-limited requests, and the run queue —
/// its depth, the leases workers hold, and finished runs by outcome with their durations. The
/// queue is read from the store at each scrape, so runs done by `cascade worker` processes on other
/// machines count as well as the server's own.
final class ServerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    /// Seconds: 1 ms … 60 s for requests (a `?wait=` request may take up to its wait).
    private static let latencyBuckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                                                     .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                                     .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30), .seconds(60)]
    private static let runBuckets: [Duration] = [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250),
                                                 .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
                                                 .seconds(30), .seconds(60), .seconds(300)]
    /// The newest `finished_at` already counted, and the jobs finished at that instant.
    private let runCursor = NIOLockedValueBox<(finishedAt: String?, ids: Set<String>)>((nil, []))

    func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "cascade", subsystem: "http", metricName: "requests", unitName: "total",
                                             helpText: "HTTP requests by method, route (the endpoint's path template) and status"),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "cascade", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                                             helpText: "Time from the request head to the response, by method and route"),
            labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets
        ).record(duration)
    }

    func recordRateLimited() {
        registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "cascade", subsystem: "http", metricName: "rate_limited_requests", unitName: "total",
                                             helpText: "Requests refused with 429 because their key was over its rate limit")
        ).increment()
    }

    /// Updates the queue's series from the store, then renders every series.
    func render(_ activity: QueueActivity) -> String {
        for (status, n) in [("queued", activity.counts.queued), ("running", activity.counts.running)] {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "cascade", subsystem: "run_queue", metricName: "jobs", unitName: "current",
                                                 helpText: "Run requests waiting (queued) or being run (running)"),
                labels: [("status", status)]
            ).set(Double(n))
        }
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "cascade", subsystem: "run_queue", metricName: "leases_held", unitName: "current",
                                             helpText: "Running jobs whose worker lease has not expired")
        ).set(Double(activity.leasesHeld))
        let fresh = runCursor.withLockedValue { cursor -> [RunJob] in
            let new = activity.finished.filter { job in
                guard let at = job.finishedAt else { return false }
                guard let last = cursor.finishedAt else { return true }
                return at > last || (at == last && !cursor.ids.contains(job.id))
            }
            if let newest = activity.finished.last?.finishedAt {
                let ids = Set(activity.finished.filter { $0.finishedAt == newest }.map(\.id))
                cursor = newest == cursor.finishedAt ? (newest, cursor.ids.union(ids)) : (newest, ids)
            }
            return new
        }
        for job in fresh {
            let outcome = job.status == .succeeded ? (job.cached == true ? "cached" : "succeeded") : "failed"
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "cascade", subsystem: "runs", metricName: "finished", unitName: "total",
                                                 helpText: "Finished runs by outcome (succeeded, cached, failed), whichever worker ran them"),
                labels: [("outcome", outcome)]
            ).increment()
            if let started = job.startedAt.flatMap(Self.date), let finished = job.finishedAt.flatMap(Self.date) {
                registry.makeDurationHistogram(
                    descriptor: MetricNameDescriptor(namespace: "cascade", subsystem: "runs", metricName: "duration", unitName: "seconds",
                                                     helpText: "Time from a run's claim by a worker to its end, by outcome"),
                    labels: [("outcome", outcome)], buckets: Self.runBuckets
                ).record(.milliseconds(max(0, Int64((finished.timeIntervalSince(started) * 1000).rounded()))))
            }
        }
        return registry.emitToString()
    }

    /// The newest `finished_at` counted so far (the store is asked only for later jobs).
    var lastFinishedAt: String? { runCursor.withLockedValue { $0.finishedAt } }

    private static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
