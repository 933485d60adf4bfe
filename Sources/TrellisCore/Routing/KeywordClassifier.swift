/// The `keyword` classifier: words, phrases and regular expressions per label, matched offline.
///
/// - A word or phrase (`refund`, `charged twice`) matches as a run of whole words, whatever separates them; a
///   trailing `*` matches any ending of the last word (`оплат*` finds `оплата`, `оплатил`, `оплатить`).
/// - `/…/` is a regular expression (ECMAScript syntax, ``SchemaPattern``), matched anywhere.
/// - Both sides are compared folded (``TextFolding``): case, accents and `ё` do not count.
///
/// A label's score is the number of its keywords that matched; the evidence lists them as written. The confidence
/// is the top score's margin over the runner-up, as a share of the top score: 1 when only one label matched, 0 on
/// a tie or when nothing matched. It is deterministic and needs no model.
public struct KeywordClassifier: RouteClassifier {
    /// One compiled keyword.
    enum Matcher: Sendable {
        /// A folded phrase as its words; `prefix` when it ended in `*` (its last word may go on).
        case phrase([String], prefix: Bool)
        /// A regular expression, compiled from its folded text.
        case pattern(SchemaPattern)
    }

    public var kind: ClassifierKind { .keyword }

    private let routes: [(label: String, keywords: [(written: String, matcher: Matcher)])]

    /// Compiles every route's keywords.
    ///
    /// - Throws: ``KeywordError`` naming the label and the keyword that cannot be used.
    public init(routes: [Route]) throws(KeywordError) {
        var compiled: [(label: String, keywords: [(written: String, matcher: Matcher)])] = []
        for route in routes {
            var keywords: [(written: String, matcher: Matcher)] = []
            for (index, keyword) in route.keywords.enumerated() {
                do throws(KeywordError.Reason) {
                    keywords.append((keyword, try Self.matcher(for: keyword)))
                } catch {
                    throw KeywordError(label: route.label, index: index, keyword: keyword, reason: error)
                }
            }
            compiled.append((route.label, keywords))
        }
        self.routes = compiled
    }

    public func classify(_ input: String) -> ClassifierOutcome {
        let folded = TextFolding.fold(input)
        let words = TextFolding.words(ofFolded: folded)
        let text = Text(folded: folded, words: words, set: Set(words))
        let scores = routes.map { route in
            let matched = route.keywords.filter { Self.matches($0.matcher, in: text) }.map(\.written)
            return LabelScore(label: route.label, score: Double(matched.count), evidence: matched)
        }
        let outcome = ClassifierOutcome(scores: scores, confidence: 0)
        guard let top = outcome.top else { return outcome }
        let runnerUp = outcome.runnerUp?.score ?? 0
        return ClassifierOutcome(scores: outcome.scores, confidence: (top.score - runnerUp) / top.score)
    }

    /// Why `keyword` cannot be compiled, or `nil` when it can (for the loader's errors).
    public static func problem(with keyword: String) -> String? {
        do throws(KeywordError.Reason) {
            _ = try matcher(for: keyword)
            return nil
        } catch {
            return error.description
        }
    }

    static func matcher(for keyword: String) throws(KeywordError.Reason) -> Matcher {
        if keyword.count >= 2, keyword.hasPrefix("/"), keyword.hasSuffix("/") {
            do throws(SchemaPatternError) {
                return .pattern(try SchemaPattern(foldedPattern(String(keyword.dropFirst().dropLast()))))
            } catch {
                throw .pattern(error)
            }
        }
        var phrase = TextFolding.fold(keyword)
        while phrase.last?.isWhitespace == true { phrase.removeLast() }
        let prefix = phrase.hasSuffix("*")
        if prefix { phrase.removeLast() }
        let words = TextFolding.words(ofFolded: phrase)
        guard !words.isEmpty else { throw .empty }
        return .phrase(words, prefix: prefix)
    }

    /// The pattern with its text folded and its escapes (`\D`, `\p{Lu}`, `\u{41}`) kept as written.
    static func foldedPattern(_ pattern: String) -> String {
        var result = ""
        var plain = ""
        var characters = pattern.makeIterator()
        while let character = characters.next() {
            guard character == "\\" else {
                plain.append(character)
                continue
            }
            result += TextFolding.fold(plain)
            plain = ""
            result.append(character)
            guard let escaped = characters.next() else { break }
            result.append(escaped)
            if "pPu".contains(escaped) {
                // `\p{…}` and `\u{…}`: the braces' content is a name or hex digits, kept as written.
                var braced = ""
                while let next = characters.next() {
                    braced.append(next)
                    if next == "}" || (braced.count == 1 && next != "{") { break }
                }
                result += braced
            }
        }
        return result + TextFolding.fold(plain)
    }

    /// The input once folded, and its words, so each keyword costs a comparison of words, not a search.
    struct Text {
        let folded: String
        let words: [String]
        let set: Set<String>
    }

    /// A phrase matches a run of whole words (its last word only as a prefix when it ended in `*`); a pattern
    /// matches anywhere in the folded text.
    static func matches(_ matcher: Matcher, in text: Text) -> Bool {
        switch matcher {
        case .pattern(let pattern): return pattern.matches(text.folded) == true
        case .phrase(let phrase, let prefix):
            let words = text.words
            if phrase.count == 1, !prefix { return text.set.contains(phrase[0]) }
            guard phrase.count <= words.count else { return false }
            let last = phrase.count - 1
            for start in 0...(words.count - phrase.count) {
                var index = 0
                while index < last, words[start + index] == phrase[index] { index += 1 }
                guard index == last else { continue }
                let word = words[start + last]
                // Both sides are folded, so comparing their bytes is comparing their text.
                if prefix ? word.utf8.starts(with: phrase[last].utf8) : word == phrase[last] { return true }
            }
            return false
        }
    }
}

/// A keyword of `routes.to.<label>.keywords` that cannot be used.
public struct KeywordError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with it.
    public enum Reason: Error, Sendable, Equatable, CustomStringConvertible {
        /// It holds no letter or digit.
        case empty
        /// `/…/` is not a regular expression Trellis can run.
        case pattern(SchemaPatternError)

        public var description: String {
            switch self {
            case .empty: "it holds no letter or digit"
            case .pattern(let error): "\(error)"
            }
        }
    }

    /// The route's label.
    public var label: String
    /// The keyword's position in the list.
    public var index: Int
    /// The keyword as written.
    public var keyword: String
    /// Why it cannot be used.
    public var reason: Reason

    /// `keyword '/(a/' of route 'billing': pattern '(a' at character 1: a group is not closed`.
    public var description: String { "keyword '\(keyword)' of route '\(label)': \(reason)" }
}
