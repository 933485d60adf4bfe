/// The `keyword` classifier: words, phrases and regular expressions per label, matched offline.
///
/// - A word or phrase (`refund`, `charged twice`) matches as whole words; a trailing `*` matches any ending
///   (`оплат*` finds `оплата`, `оплатил`, `оплатить`).
/// - `/…/` is a regular expression (ECMAScript syntax, ``SchemaPattern``), matched anywhere.
/// - Both sides are compared folded (``TextFolding``): case, accents and `ё` do not count.
///
/// A label's score is the number of its keywords that matched; the evidence lists them as written. The confidence
/// is the top score's margin over the runner-up, as a share of the top score: 1 when only one label matched, 0 on
/// a tie or when nothing matched. It is deterministic and needs no model.
public struct KeywordClassifier: RouteClassifier {
    /// One compiled keyword.
    enum Matcher: Sendable {
        /// A folded phrase; `prefix` when it ended in `*`.
        case phrase(String, prefix: Bool)
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
        let scores = routes.map { route in
            let matched = route.keywords.filter { Self.matches($0.matcher, in: folded) }.map(\.written)
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
        var phrase = TextFolding.fold(keyword).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let prefix = phrase.hasSuffix("*")
        if prefix { phrase.removeLast() }
        guard phrase.contains(where: TextFolding.isWordCharacter) else { throw .empty }
        return .phrase(phrase, prefix: prefix)
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

    static func matches(_ matcher: Matcher, in text: String) -> Bool {
        switch matcher {
        case .pattern(let pattern): return pattern.matches(text) == true
        case .phrase(let phrase, let prefix):
            var rest = text[...]
            while let range = rest.firstRange(of: phrase) {
                let before = range.lowerBound == text.startIndex ? nil : text[text.index(before: range.lowerBound)]
                let after = range.upperBound == text.endIndex ? nil : text[range.upperBound]
                if !(before.map(TextFolding.isWordCharacter) ?? false),
                    prefix || !(after.map(TextFolding.isWordCharacter) ?? false)
                {
                    return true
                }
                rest = text[text.index(after: range.lowerBound)...]
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
