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

    /// Each route's label and the range of its keywords in ``keywords``.
    private let routes: [(label: String, keywords: Range<Int>)]
    /// Every route's keywords, route after route, as written and compiled.
    private let keywords: [(written: String, matcher: Matcher)]
    /// Where each keyword can match, so that a decision looks each input word up once.
    private let index: KeywordIndex

    /// Compiles every route's keywords.
    ///
    /// - Throws: ``KeywordError`` naming the label and the keyword that cannot be used.
    public init(routes: [Route]) throws(KeywordError) {
        var compiled: [(label: String, keywords: Range<Int>)] = []
        var keywords: [(written: String, matcher: Matcher)] = []
        for route in routes {
            let start = keywords.count
            for (index, keyword) in route.keywords.enumerated() {
                do throws(KeywordError.Reason) {
                    keywords.append((keyword, try Self.matcher(for: keyword)))
                } catch {
                    throw KeywordError(label: route.label, index: index, keyword: keyword, reason: error)
                }
            }
            compiled.append((route.label, start..<keywords.count))
        }
        self.routes = compiled
        self.keywords = keywords
        self.index = KeywordIndex(keywords.map(\.matcher))
    }

    public func classify(_ input: String) -> ClassifierOutcome {
        let folded = TextFolding.fold(input)
        let matched = index.matches(folded: folded, words: TextFolding.words(ofFolded: folded))
        let scores = routes.map { route in
            let evidence = route.keywords.filter { matched[$0] }.map { keywords[$0].written }
            return LabelScore(label: route.label, score: Double(evidence.count), evidence: evidence)
        }
        var outcome = ClassifierOutcome(scores: scores, confidence: 0)
        if let top = outcome.top {
            outcome.confidence = (top.score - (outcome.runnerUp?.score ?? 0)) / top.score
        }
        return outcome
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
