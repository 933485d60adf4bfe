import Foundation
import Synchronization

/// A line editor for `trellis chat` on a terminal: the terminal in raw mode while a line is typed, with
/// history kept in a file.
///
/// Nothing in the package mirror edits lines (no libedit or readline bindings, and linking GNU readline would
/// make the binary GPL), so this is a small editor of our own on termios: cursor keys, Home/End, Ctrl-A/E/B/F,
/// Backspace/Delete, Ctrl-U/K/W, Up/Down through history, Ctrl-R to search it, Ctrl-L to clear the screen.
/// Ctrl-C and Ctrl-D are returned to the caller; between lines the terminal is back in its own mode, so a
/// Ctrl-C during a turn is a signal.
final class LineEditor: Sendable {
    /// What reading a line gave.
    enum Input: Equatable {
        /// A line, without its line break.
        case line(String)
        /// Ctrl-C.
        case interrupt
        /// Ctrl-D on an empty line, or the end of input.
        case end
    }

    private let input: Int32
    private let historyPath: String?
    private let lines = Mutex<[String]>([])
    /// The lines typed before, oldest first.
    var history: [String] { lines.withLock { $0 } }
    private static let historyLimit = 1000

    /// An editor reading `input` (a terminal), with history in `historyPath` when given.
    init(input: Int32 = STDIN_FILENO, historyPath: String?) {
        self.input = input
        self.historyPath = historyPath
        if let historyPath, let text = try? String(contentsOfFile: historyPath, encoding: .utf8) {
            let read = text.split(separator: "\n").map { Self.unescape(String($0)) }
            lines.withLock { $0 = read }
        }
    }

    /// Adds a line to the history (and its file), unless it repeats the last one.
    func remember(_ line: String) {
        guard !line.allSatisfy(\.isWhitespace), history.last != line else { return }
        let history = lines.withLock { lines in
            lines.append(line)
            if lines.count > Self.historyLimit { lines.removeFirst(lines.count - Self.historyLimit) }
            return lines
        }
        guard let historyPath else { return }
        let folder = (historyPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try? (history.map(Self.escape).joined(separator: "\n") + "\n").write(
            toFile: historyPath, atomically: true, encoding: .utf8)
    }

    /// Reads one line after `prompt`, the terminal in raw mode meanwhile.
    func read(prompt: String) -> Input {
        var saved = termios()
        guard tcgetattr(input, &saved) == 0 else { return .end }
        var raw = saved
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        raw.c_cflag |= tcflag_t(CS8)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        tcsetattr(input, TCSADRAIN, &raw)
        defer { tcsetattr(input, TCSADRAIN, &saved) }
        var state = EditState(prompt: prompt, historyCount: history.count)
        redraw(state)
        while true {
            guard let key = readKey() else { return finish(.end, state) }
            if let done = apply(key, to: &state) { return finish(done, state) }
            redraw(state)
        }
    }

    // MARK: - Keys

    private enum Key: Equatable {
        case character(Character)
        case control(UInt8)
        case up, down, left, right, home, end, delete
        case unknown
    }

    private func readByte() -> UInt8? {
        var byte: UInt8 = 0
        while true {
            let count = Foundation.read(input, &byte, 1)
            if count == 1 { return byte }
            if count < 0, errno == EINTR { continue }
            return nil
        }
    }

    private func readKey() -> Key? {
        guard let byte = readByte() else { return nil }
        switch byte {
        case 0x1B:
            guard let next = readByte() else { return nil }
            guard next == UInt8(ascii: "[") || next == UInt8(ascii: "O") else { return .unknown }
            guard let code = readByte() else { return nil }
            switch code {
            case UInt8(ascii: "A"): return .up
            case UInt8(ascii: "B"): return .down
            case UInt8(ascii: "C"): return .right
            case UInt8(ascii: "D"): return .left
            case UInt8(ascii: "H"): return .home
            case UInt8(ascii: "F"): return .end
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                var digits = [code]
                while let more = readByte(), more != UInt8(ascii: "~") {
                    digits.append(more)
                    if digits.count > 4 { return .unknown }
                }
                switch String(decoding: digits, as: UTF8.self) {
                case "1", "7": return .home
                case "4", "8": return .end
                case "3": return .delete
                default: return .unknown
                }
            default: return .unknown
            }
        case 0x7F, 0x08: return .control(0x08)
        case 0x0D, 0x0A: return .control(0x0D)
        case 0x00..<0x20: return .control(byte)
        default:
            // A UTF-8 sequence: the lead byte says how many follow.
            var bytes = [byte]
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            while bytes.count < length, let more = readByte() { bytes.append(more) }
            return String(decoding: bytes, as: UTF8.self).first.map(Key.character) ?? .unknown
        }
    }

    // MARK: - Editing

    private struct EditState {
        var prompt: String
        var line: [Character] = []
        var cursor = 0
        /// Where Up/Down are in the history (`historyCount`: the line being typed).
        var position: Int
        var draft: [Character] = []
        /// Ctrl-R: the text searched for, when searching.
        var search: String?

        init(prompt: String, historyCount: Int) {
            self.prompt = prompt
            self.position = historyCount
        }
    }

    /// Applies a key; the input it ends the line with, or `nil` to go on.
    private func apply(_ key: Key, to state: inout EditState) -> Input? {
        if state.search != nil, let done = search(key, &state) { return done }
        if state.search != nil { return nil }
        switch key {
        case .character(let character):
            state.line.insert(character, at: state.cursor)
            state.cursor += 1
        case .control(0x0D): return .line(String(state.line))
        case .control(0x03): return .interrupt
        case .control(0x04):
            if state.line.isEmpty { return .end }
            if state.cursor < state.line.count { state.line.remove(at: state.cursor) }
        case .control(0x08):
            if state.cursor > 0 {
                state.cursor -= 1
                state.line.remove(at: state.cursor)
            }
        case .delete:
            if state.cursor < state.line.count { state.line.remove(at: state.cursor) }
        case .left, .control(0x02): state.cursor = max(0, state.cursor - 1)
        case .right, .control(0x06): state.cursor = min(state.line.count, state.cursor + 1)
        case .home, .control(0x01): state.cursor = 0
        case .end, .control(0x05): state.cursor = state.line.count
        case .control(0x15):
            state.line.removeFirst(state.cursor)
            state.cursor = 0
        case .control(0x0B): state.line.removeLast(state.line.count - state.cursor)
        case .control(0x17):
            var start = state.cursor
            while start > 0, state.line[start - 1] == " " { start -= 1 }
            while start > 0, state.line[start - 1] != " " { start -= 1 }
            state.line.removeSubrange(start..<state.cursor)
            state.cursor = start
        case .control(0x0C): FileHandle.standardOutput.write(Data("\u{1B}[H\u{1B}[2J".utf8))
        case .up: move(in: &state, by: -1)
        case .down: move(in: &state, by: 1)
        case .control(0x12): state.search = ""
        default: break
        }
        return nil
    }

    private func move(in state: inout EditState, by step: Int) {
        let target = state.position + step
        guard target >= 0, target <= history.count else { return }
        if state.position == history.count { state.draft = state.line }
        state.position = target
        state.line = target == history.count ? state.draft : Array(history[target])
        state.cursor = state.line.count
    }

    /// Ctrl-R: typing narrows the search to the newest line containing the text, Ctrl-R again goes to an older
    /// one, Enter takes the line, Ctrl-C or Ctrl-G leaves the search; other keys take the line and apply.
    private func search(_ key: Key, _ state: inout EditState) -> Input? {
        guard var text = state.search else { return nil }
        var from = state.position
        switch key {
        case .character(let character): text.append(character)
        case .control(0x08): if !text.isEmpty { text.removeLast() }
        case .control(0x12): from -= 1
        case .control(0x03), .control(0x07):
            state.search = nil
            return nil
        case .control(0x0D):
            state.search = nil
            return .line(String(state.line))
        default:
            state.search = nil
            return apply(key, to: &state)
        }
        state.search = text
        if let found = stride(from: min(from, history.count - 1), through: 0, by: -1).first(where: {
            text.isEmpty || history[$0].contains(text)
        }) {
            state.position = found
            state.line = Array(history[found])
            state.cursor = state.line.count
        }
        return nil
    }

    // MARK: - Drawing

    private func redraw(_ state: EditState) {
        var text = "\r\u{1B}[K"
        if let search = state.search {
            text += "(search)'\(search)': " + String(state.line)
        } else {
            text += state.prompt + String(state.line)
            let back = state.line.count - state.cursor
            if back > 0 { text += "\u{1B}[\(back)D" }
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private func finish(_ input: Input, _ state: EditState) -> Input {
        var shown = state
        shown.search = nil
        shown.cursor = shown.line.count
        redraw(shown)
        FileHandle.standardOutput.write(Data((input == .interrupt ? "^C\r\n" : "\r\n").utf8))
        return input
    }

    private static func escape(_ line: String) -> String {
        line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func unescape(_ line: String) -> String {
        var result = ""
        var escaped = false
        for character in line {
            if escaped {
                result.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
