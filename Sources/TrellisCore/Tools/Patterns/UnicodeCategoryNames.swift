/// The names `\p{…}` accepts: Unicode general categories by their short and long names, their one-letter groups,
/// and `Any` and `Assigned`.
enum UnicodeCategoryNames {
    /// The categories `name` stands for, or `nil` for a name that is not a general category.
    static func categories(named name: String) -> [Unicode.GeneralCategory]? {
        if let single = table[name] { return [single] }
        if let group = groups[name] { return group }
        return nil
    }

    private static let table: [String: Unicode.GeneralCategory] = {
        let pairs: [(String, String, Unicode.GeneralCategory)] = [
            ("Lu", "Uppercase_Letter", .uppercaseLetter), ("Ll", "Lowercase_Letter", .lowercaseLetter),
            ("Lt", "Titlecase_Letter", .titlecaseLetter), ("Lm", "Modifier_Letter", .modifierLetter),
            ("Lo", "Other_Letter", .otherLetter), ("Mn", "Nonspacing_Mark", .nonspacingMark),
            ("Mc", "Spacing_Mark", .spacingMark), ("Me", "Enclosing_Mark", .enclosingMark),
            ("Nd", "Decimal_Number", .decimalNumber), ("Nl", "Letter_Number", .letterNumber),
            ("No", "Other_Number", .otherNumber), ("Pc", "Connector_Punctuation", .connectorPunctuation),
            ("Pd", "Dash_Punctuation", .dashPunctuation), ("Ps", "Open_Punctuation", .openPunctuation),
            ("Pe", "Close_Punctuation", .closePunctuation), ("Pi", "Initial_Punctuation", .initialPunctuation),
            ("Pf", "Final_Punctuation", .finalPunctuation), ("Po", "Other_Punctuation", .otherPunctuation),
            ("Sm", "Math_Symbol", .mathSymbol), ("Sc", "Currency_Symbol", .currencySymbol),
            ("Sk", "Modifier_Symbol", .modifierSymbol), ("So", "Other_Symbol", .otherSymbol),
            ("Zs", "Space_Separator", .spaceSeparator), ("Zl", "Line_Separator", .lineSeparator),
            ("Zp", "Paragraph_Separator", .paragraphSeparator), ("Cc", "Control", .control),
            ("Cf", "Format", .format), ("Cs", "Surrogate", .surrogate), ("Co", "Private_Use", .privateUse),
            ("Cn", "Unassigned", .unassigned),
        ]
        var table: [String: Unicode.GeneralCategory] = [:]
        for (short, long, category) in pairs {
            table[short] = category
            table[long] = category
        }
        return table
    }()

    private static let groups: [String: [Unicode.GeneralCategory]] = {
        let all = Array(Set(table.values))
        func starting(_ letter: Character) -> [Unicode.GeneralCategory] {
            Set(table.filter { $0.key.count == 2 && $0.key.first == letter }.map(\.value)).map { $0 }
        }
        var groups: [String: [Unicode.GeneralCategory]] = [
            "Any": all, "Assigned": all.filter { $0 != .unassigned },
        ]
        for (letter, long) in [
            ("L", "Letter"), ("M", "Mark"), ("N", "Number"), ("P", "Punctuation"), ("S", "Symbol"),
            ("Z", "Separator"), ("C", "Other"),
        ] as [(Character, String)] {
            groups[String(letter)] = starting(letter)
            groups[long] = starting(letter)
        }
        groups["LC"] = [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter]
        groups["Cased_Letter"] = groups["LC"]
        return groups
    }()
}
