import Foundation
import Testing
import TrellisCore
import TrellisPostgres
import TrellisRuntime
import TrellisTesting

/// The run store's contract, on SQLite and on a real PostgreSQL: one claim per run, leases that run out and are
/// taken over, fenced writes of a worker that lost its run, attempts that run out, idempotency keys and sessions
/// queued in order.
@Suite struct RunStoreContractTests {
    /// The stores to test: SQLite always, PostgreSQL where it is installed (CI installs it).
    static let kinds: [StoreKind] = [.sqlite] + (PostgresCluster.isInstalled ? [.postgres] : [])

    private func submission(_ id: String, session: String? = nil, key: String? = nil, attempts: Int = 3)
        -> RunSubmission
    {
        RunSubmission(
            id: id, agent: "a", request: ["input": "hi"], session: session, idempotencyKey: key, maxAttempts: attempts)
    }

    @Test("two workers racing for one run: exactly one claims it", arguments: kinds)
    func oneClaim(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.submit(submission("run_1"), maxQueued: nil)
            async let first = store.claim(worker: "w1", lease: .seconds(30), limit: 1, agentRoom: [:]).first
            async let second = store.claim(worker: "w2", lease: .seconds(30), limit: 1, agentRoom: [:]).first
            let claims = [try await first, try await second].compactMap { $0 }
            #expect(claims.count == 1)
            #expect(claims.first?.attempt == 1)
            #expect(try await store.run("run_1")?.status == .running)
        }
    }

    @Test("two stores on one database (two processes) racing for runs: each run is claimed once", arguments: kinds)
    func claimAcrossConnections(kind: StoreKind) async throws {
        try await kind.withStores(2) { stores in
            let (one, two) = (stores[0], stores[1])
            for index in 0..<20 { _ = try await one.submit(submission("run_\(index)"), maxQueued: nil) }
            async let first = (0..<20).asyncMap { _ in
                try await one.claim(worker: "w1", lease: .seconds(30), limit: 1, agentRoom: [:])
            }
            async let second = (0..<20).asyncMap { _ in
                try await two.claim(worker: "w2", lease: .seconds(30), limit: 1, agentRoom: [:])
            }
            let ids = (try await first + second).flatMap { $0 }.map(\.runID)
            #expect(ids.count == 20)
            #expect(Set(ids).count == 20)
        }
    }

    @Test("a lease that ran out is taken over; the old worker's late writes are refused", arguments: kinds)
    func takeover(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.submit(submission("run_1"), maxQueued: nil)
            let old = try #require(
                try await store.claim(worker: "old", lease: .milliseconds(50), limit: 1, agentRoom: [:]).first)
            var state = RunState(runID: "run_1", entryAgent: "a", agent: "a", transcript: [.user("hi")])
            try await store.record(
                old, events: [RunEventRecord(sequence: 1, type: "run.started", data: [:])], state: state)
            try await Task.sleep(for: .milliseconds(120))
            let new = try #require(
                try await store.claim(worker: "new", lease: .seconds(30), limit: 1, agentRoom: [:]).first)
            #expect(new.attempt == 2)
            #expect(new.run.state == state)
            #expect(new.run.lastSequence == 1)
            state.turns = 7
            await #expect(throws: RunStoreError.leaseLost(runID: "run_1")) {
                try await store.record(
                    old, events: [RunEventRecord(sequence: 2, type: "late", data: [:])], state: state)
            }
            await #expect(throws: RunStoreError.leaseLost(runID: "run_1")) {
                try await store.finish(old, status: .succeeded, result: ["late": true], state: state, events: [])
            }
            #expect(try await store.heartbeat(worker: "old", lease: .seconds(30)).held.isEmpty)
            #expect(try await store.heartbeat(worker: "new", lease: .seconds(30)).held == ["run_1"])
            let run = try #require(try await store.run("run_1"))
            #expect(run.status == .running)
            #expect(run.state?.turns == 0)
            #expect(try await store.events(of: "run_1", after: 0, limit: 10).map(\.type) == ["run.started"])
            try await store.finish(
                new, status: .succeeded, result: ["ok": true], state: state,
                events: [RunEventRecord(sequence: 2, type: "run.finished", data: [:])])
            #expect(try await store.run("run_1")?.status == .succeeded)
        }
    }

    @Test("a run cut short as many times as it may be attempted fails, its error naming the attempts", arguments: kinds)
    func attemptsRunOut(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.submit(submission("run_1", attempts: 2), maxQueued: nil)
            for _ in 0..<2 {
                _ = try await store.claim(worker: "host/1/dead", lease: .seconds(30), limit: 1, agentRoom: [:]).first
                #expect(try await store.recoverAbandoned(isAlive: { _ in false }) == 1)
            }
            let last = try #require(
                try await store.claim(worker: "w", lease: .seconds(30), limit: 1, agentRoom: [:]).first)
            #expect(last.run.status == .failed)
            #expect(last.run.result?["error"]?["code"] == "attempts_exhausted")
            #expect(
                last.run.result?["error"]?["message"]?.stringValue?.hasPrefix(
                    "the run was attempted 2 times and each attempt was cut short") == true)
            #expect(try await store.events(of: "run_1", after: 0, limit: 10).last?.type == "run.finished")
            #expect(try await store.claim(worker: "w", lease: .seconds(30), limit: 1, agentRoom: [:]).first == nil)
        }
    }

    @Test(
        "an idempotency key gives back its run; runs of one session are claimed one at a time, in order",
        arguments: kinds)
    func keysAndSessions(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let (first, created) = try await store.submit(submission("run_1", key: "k"), maxQueued: nil)
            let (again, createdAgain) = try await store.submit(submission("run_2", key: "k"), maxQueued: nil)
            #expect(created && !createdAgain)
            #expect(again.id == first.id)

            _ = try await store.submit(submission("run_s1", session: "chat"), maxQueued: nil)
            _ = try await store.submit(submission("run_s2", session: "chat"), maxQueued: nil)
            let a = try await store.claim(worker: "w", lease: .seconds(30), limit: 1, agentRoom: [:]).first
            let b = try await store.claim(worker: "w", lease: .seconds(30), limit: 1, agentRoom: [:]).first
            #expect([a?.runID, b?.runID] == ["run_1", "run_s1"])
            #expect(try await store.claim(worker: "w", lease: .seconds(30), limit: 1, agentRoom: [:]).first == nil)
            try await store.finish(try #require(b), status: .succeeded, result: nil, state: nil, events: [])
            #expect(
                try await store.claim(worker: "w", lease: .seconds(30), limit: 1, agentRoom: [:]).first?.runID
                    == "run_s2")
            await #expect(throws: RunStoreError.queueFull(queued: 0)) {
                try await store.submit(submission("run_x"), maxQueued: 0)
            }
            #expect(try await store.counts() == [.running: 2, .succeeded: 1])
        }
    }

    @Test("a session's conversation is the state its newest ended run left", arguments: kinds)
    func sessionState(kind: StoreKind) async throws {
        try await kind.withStore { store in
            #expect(try await store.sessionState("chat") == nil)
            _ = try await store.submit(submission("run_1", session: "chat"), maxQueued: nil)
            _ = try await store.submit(submission("run_2", session: "chat"), maxQueued: nil)
            let first = try #require(
                try await store.claim(worker: "w", lease: .seconds(30), limit: 1, agentRoom: [:]).first)
            var state = RunState(runID: "run_1", entryAgent: "a", agent: "a", transcript: [.user("hi")])
            state.status = .finished
            try await store.finish(first, status: .succeeded, result: ["ok": true], state: state, events: [])
            #expect(try await store.sessionState("chat") == SessionContinuation(agent: "a", state: state))
            // A run cancelled before its first step leaves no state: the conversation stays the one before.
            _ = try await store.cancel("run_2")
            #expect(try await store.sessionState("chat")?.state.runID == "run_1")
            #expect(try await store.sessionState("other") == nil)
        }
    }

    @Test(
        "an agent at its limit is skipped; a released run is queued again without counting an attempt", arguments: kinds
    )
    func limitsAndRelease(kind: StoreKind) async throws {
        try await kind.withStore { store in
            _ = try await store.submit(submission("run_1"), maxQueued: nil)
            #expect(try await store.claim(worker: "w", lease: .seconds(30), limit: 1, agentRoom: ["a": 0]).first == nil)
            let claim = try #require(
                try await store.claim(worker: "w", lease: .seconds(30), limit: 1, agentRoom: [:]).first)
            try await store.release(claim)
            #expect(try await store.run("run_1")?.status == .queued)
            _ = try await store.cancel("run_1")
            #expect(try await store.run("run_1")?.status == .cancelled)
        }
    }
}

extension Range<Int> {
    /// `transform` of each element, one after another.
    fileprivate func asyncMap<T>(_ transform: (Int) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// A store implementation under test.
enum StoreKind: String, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// Calls `body` with a new, empty store.
    func withStore(_ body: (any RunStore) async throws -> Void) async throws {
        try await withStores(1) { try await body($0[0]) }
    }

    /// Calls `body` with `count` stores on one new database, as `count` processes would open it.
    func withStores(_ count: Int, _ body: ([any RunStore]) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let folder = try TemporaryFolder("trellis-runs")
            defer { folder.remove() }
            var stores: [any RunStore] = []
            do {
                for _ in 0..<count {
                    stores.append(try await SQLiteRunStore.open(path: folder.path(".trellis/trellis.db")))
                }
                try await body(stores)
            } catch {
                for store in stores { await store.close() }
                throw error
            }
            for store in stores { await store.close() }
        case .postgres:
            let location = try PostgresLocation(url: try await PostgresCluster.shared().createDatabase())
            try await Self.nested(location, count: count, opened: [], body)
        }
    }

    private static func nested(
        _ location: PostgresLocation, count: Int, opened: [any RunStore], _ body: ([any RunStore]) async throws -> Void
    ) async throws {
        guard opened.count < count else { return try await body(opened) }
        try await PostgresRunStore.withStore(location) { store in
            try await nested(location, count: count, opened: opened + [store], body)
        }
    }
}
