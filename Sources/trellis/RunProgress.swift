import Foundation
import Synchronization
import TrellisCore

/// How `trellis run` reports progress on standard error.
struct ProgressStyle: Sendable {
    /// Turn, usage and finish lines, and each call as it is made (`-v`).
    var verbose = false
    /// No progress at all (`-q`).
    var quiet = false
    /// ANSI colours: standard error is a terminal and `NO_COLOR` is unset or empty.
    var colour = false
    /// The spinner while a model is answering: standard error is a terminal.
    var spinner = false
    /// Answer text goes to standard output as it arrives (`--stream` without `--json`).
    var streamText = false
    /// Standard output is a terminal too, so progress must not write over streamed answer text.
    var sharedTerminal = false

    /// The style for this process's standard error.
    static func detect(verbose: Bool, quiet: Bool, streamText: Bool, environment: [String: String]) -> ProgressStyle {
        let terminal = !quiet && isatty(STDERR_FILENO) == 1
        let noColour = !(environment["NO_COLOR"] ?? "").isEmpty
        return ProgressStyle(
            verbose: verbose && !quiet, quiet: quiet, colour: terminal && !noColour, spinner: terminal,
            streamText: streamText, sharedTerminal: terminal && isatty(STDOUT_FILENO) == 1)
    }
}

/// Shows a run's progress: a spinner while a model is answering (terminals only), one line per tool call when its
/// result is in, and with `-v` turns, calls, tokens and the finish.
///
/// Every write, the spinner's included, happens under one lock, so a spinner frame never lands inside streamed
/// text: the spinner is cleared before anything else is written, and a line left open by streamed text is ended
/// (on standard error) before progress is drawn below it.
final class RunProgress: Sendable {
    private struct State {
        /// The turn whose model call is in flight, and since when.
        var waiting: (turn: Int, since: ContinuousClock.Instant)?
        var frame = 0
        /// How many columns the spinner covers now (0: not drawn).
        var drawn = 0
        /// The terminal's cursor is after text that did not end its line (streamed answer or reasoning).
        var openLine = false
    }

    static let frames = Array("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")
    /// How long the arguments on a tool line may be; `-v`'s call lines allow more.
    static let argumentsWidth = 60
    static let verboseWidth = 80

    let style: ProgressStyle
    private let state = Mutex(State())
    private let clock = ContinuousClock()

    init(style: ProgressStyle) { self.style = style }

    /// Runs `body` with the spinner redrawn every 100 ms in a child task, until `body` returns.
    func showing<R: Sendable>(_ body: () async -> R) async -> R {
        guard style.spinner else { return await body() }
        return await withTaskGroup(of: Void.self, returning: R.self) { group in
            group.addTask { await self.spin() }
            let result = await body()
            group.cancelAll()
            await group.waitForAll()
            return result
        }
    }

    private func spin() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: .milliseconds(100)) } catch { break }
            state.withLock { draw(&$0) }
        }
        state.withLock { clear(&$0) }
    }

    /// Shows one run event.
    func handle(_ event: RunEvent) {
        if style.quiet {
            if case .textDelta(let text) = event, style.streamText { Output.out(text) }
            return
        }
        state.withLock { state in
            if case .turnStarted(let turn) = event {
                if style.verbose { line(paint("· turn \(turn)", .dim), &state) }
                state.waiting = (turn, clock.now)
                return
            }
            state.waiting = nil
            clear(&state)
            switch event {
            case .textDelta(let text) where style.streamText:
                Output.out(text)
                if style.sharedTerminal, !text.isEmpty { state.openLine = !text.hasSuffix("\n") }
            case .reasoningDelta(let text) where style.verbose:
                // Without streaming a reply's reasoning arrives whole: give it its own line.
                let shown = style.streamText || text.hasSuffix("\n") ? text : text + "\n"
                Output.err(shown)
                if !shown.isEmpty { state.openLine = !shown.hasSuffix("\n") }
            case .routed(let decision):
                line(paint(RouteText.line(decision), .dim), &state)
                if style.verbose, !decision.scores.isEmpty {
                    line(paint("  " + RouteText.scores(decision), .dim), &state)
                }
            case .toolCall(let call) where style.verbose:
                line("→ \(call.name) \(Self.shortened(Self.compact(call.arguments), to: Self.verboseWidth))", &state)
            case .toolResult(let call, let output, let duration):
                line(toolLine(call, output, duration), &state)
            case .usage(let usage) where style.verbose:
                line(paint("· tokens: \(usage.inputTokens) in, \(usage.outputTokens) out", .dim), &state)
            case .finished(let result) where style.verbose:
                line(paint("· finished: \(result.finishReason.rawValue) after \(result.turns) turn(s)", .dim), &state)
            default:
                break
            }
        }
    }

    /// `✓ name {"arguments"} 0.4 ms`, or `✗ name {"arguments"} 1.2 ms: message`; with `-v` an answer's
    /// content follows too. A call that never ran has no duration.
    private func toolLine(_ call: ToolCall, _ output: ToolOutput, _ duration: Duration?) -> String {
        var text = output.isError ? paint("✗", .red) : paint("✓", .green)
        text +=
            " " + paint(call.name, .bold) + " " + Self.shortened(Self.compact(call.arguments), to: Self.argumentsWidth)
        if let duration { text += " " + paint(Self.format(duration), .dim) }
        if output.isError || style.verbose {
            let flat = output.content.split(whereSeparator: \.isNewline).joined(separator: " ")
            if !flat.isEmpty { text += ": " + Self.shortened(flat, to: output.isError ? 200 : Self.verboseWidth) }
        }
        return text
    }

    // MARK: - Writing

    /// One progress line on standard error, below any text left open.
    private func line(_ text: String, _ state: inout State) {
        clear(&state)
        if state.openLine {
            Output.err("\n")
            state.openLine = false
        }
        Output.err(text + "\n")
    }

    private func draw(_ state: inout State) {
        guard let waiting = state.waiting else { return }
        if state.openLine {
            Output.err("\n")
            state.openLine = false
        }
        let frame = Self.frames[state.frame % Self.frames.count]
        state.frame += 1
        let rest = " turn \(waiting.turn) · \(Self.seconds(clock.now - waiting.since))"
        let width = 1 + rest.count
        let padding = String(repeating: " ", count: max(0, state.drawn - width))
        Output.err("\r" + paint(String(frame), .cyan) + rest + padding)
        state.drawn = width
    }

    /// Removes the spinner, with spaces rather than escape codes, so `NO_COLOR` output has none.
    private func clear(_ state: inout State) {
        guard state.drawn > 0 else { return }
        Output.err("\r" + String(repeating: " ", count: state.drawn) + "\r")
        state.drawn = 0
    }

    // MARK: - Formatting

    private enum Paint: String {
        case red = "31"
        case green = "32"
        case cyan = "36"
        case bold = "1"
        case dim = "2"
    }

    private func paint(_ text: String, _ paint: Paint) -> String {
        style.colour ? "\u{1B}[\(paint.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Arguments on one line: valid JSON re-serialized compactly, anything else with its line breaks folded.
    static func compact(_ arguments: String) -> String {
        if arguments.allSatisfy(\.isWhitespace) { return "{}" }
        if let value = try? JSONValue.parse(arguments) { return value.serialized() }
        return arguments.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// At most `width` characters, the last an ellipsis when cut.
    static func shortened(_ text: String, to width: Int) -> String {
        text.count > width ? String(text.prefix(width - 1)) + "…" : text
    }

    /// `0.4 ms`, `12 ms`, `1.5 s`.
    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.secondsValue * 1000
        if milliseconds < 10 { return String(format: "%.1f ms", milliseconds) }
        if milliseconds < 1000 { return String(format: "%.0f ms", milliseconds) }
        return String(format: "%.1f s", milliseconds / 1000)
    }

    /// `3.4s`.
    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1fs", duration.secondsValue)
    }
}
