/// A route table's compiled keywords arranged by where they can match: a decision looks each input word up once,
/// instead of trying every keyword against every word (200 keywords cost about what 20 do).
///
/// - A phrase, and a single word without `*`, is filed under its first word; it is checked only where that word
///   occurs.
/// - A single word with `*` is a path in a trie of bytes; walking an input word through it finds every such
///   keyword that word starts with.
/// - A regular expression runs on the whole folded text.
struct KeywordIndex: Sendable {
    private let matchers: [KeywordClassifier.Matcher]
    /// Keyword positions by their first folded word.
    private let byFirstWord: [String: [Int]]
    private let prefixes: PrefixTrie
    /// The positions of the `/…/` keywords.
    private let patterns: [Int]

    init(_ matchers: [KeywordClassifier.Matcher]) {
        var byFirstWord: [String: [Int]] = [:]
        var prefixes = PrefixTrie()
        var patterns: [Int] = []
        for (position, matcher) in matchers.enumerated() {
            switch matcher {
            case .pattern: patterns.append(position)
            case .phrase(let words, let prefix):
                if words.count == 1, prefix {
                    prefixes.insert(words[0], position)
                } else {
                    byFirstWord[words[0], default: []].append(position)
                }
            }
        }
        self.matchers = matchers
        self.byFirstWord = byFirstWord
        self.prefixes = prefixes
        self.patterns = patterns
    }

    /// Whether each keyword matched the folded text and its words, by position.
    func matches(folded: String, words: [String]) -> [Bool] {
        var matched = [Bool](repeating: false, count: matchers.count)
        for (start, word) in words.enumerated() {
            for position in byFirstWord[word] ?? [] where !matched[position] {
                guard case .phrase(let phrase, let prefix) = matchers[position] else { continue }
                matched[position] = Self.phrase(phrase, prefix: prefix, isAt: start, in: words)
            }
            prefixes.forEachPrefix(of: word) { matched[$0] = true }
        }
        for position in patterns {
            guard case .pattern(let pattern) = matchers[position] else { continue }
            matched[position] = pattern.matches(folded) == true
        }
        return matched
    }

    /// Whether `phrase` starts at `words[start]` (its first word is known to be there), its last word only as a
    /// prefix when it ended in `*`.
    private static func phrase(_ phrase: [String], prefix: Bool, isAt start: Int, in words: [String]) -> Bool {
        guard start + phrase.count <= words.count else { return false }
        let last = phrase.count - 1
        var index = 1
        while index < last, words[start + index] == phrase[index] { index += 1 }
        guard index >= last else { return false }
        let word = words[start + last]
        // Both sides are folded, so comparing their bytes is comparing their text.
        return prefix ? word.utf8.starts(with: phrase[last].utf8) : word == phrase[last]
    }

    /// Words as paths of bytes; each node lists the keywords that end there.
    struct PrefixTrie: Sendable {
        private var children: [[UInt8: Int]] = [[:]]
        private var ends: [[Int]] = [[]]

        mutating func insert(_ word: String, _ position: Int) {
            var node = 0
            for byte in word.utf8 {
                if let next = children[node][byte] {
                    node = next
                } else {
                    children.append([:])
                    ends.append([])
                    children[node][byte] = children.count - 1
                    node = children.count - 1
                }
            }
            ends[node].append(position)
        }

        /// Calls `body` with every keyword that `word` starts with.
        func forEachPrefix(of word: String, _ body: (Int) -> Void) {
            guard children.count > 1 else { return }
            var node = 0
            for byte in word.utf8 {
                guard let next = children[node][byte] else { return }
                node = next
                for position in ends[node] { body(position) }
            }
        }
    }
}
