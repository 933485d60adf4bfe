/// Text as the `keyword` classifier compares it: lower-cased, combining marks dropped, and the accented Latin
/// letters and `ё` written without their accents, so `Café`, `CAFE` and `cafe\u{301}` are one word, and so are
/// `Ёлка` and `елка`.
enum TextFolding {
    /// `text` folded.
    static func fold(_ text: String) -> String {
        // Plain ASCII has no accents or marks to drop.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.lowercased() }
        var folded = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars {
            if (0x300...0x36F).contains(scalar.value) { continue }
            if let plain = plainLetters[scalar] {
                folded.append(contentsOf: plain.unicodeScalars)
            } else {
                folded.append(scalar)
            }
        }
        return String(folded)
    }

    /// The folded words of `text`: runs of word characters.
    static func words(in text: String) -> [String] { words(ofFolded: fold(text)) }

    /// The words of text that is folded already.
    static func words(ofFolded folded: String) -> [String] {
        let utf8 = folded.utf8
        if utf8.allSatisfy({ $0 < 0x80 }) {
            // In ASCII each character is one byte (but CR LF, which is no word), so bytes split like characters,
            // and much faster.
            var words: [String] = []
            var next = utf8.startIndex
            while let start = utf8[next...].firstIndex(where: isWordByte) {
                let end = utf8[start...].firstIndex { !isWordByte($0) } ?? utf8.endIndex
                words.append(String(folded[start..<end]))
                next = end
            }
            return words
        }
        return folded.split { !isWordCharacter($0) }.map(String.init)
    }

    /// ``isWordCharacter(_:)`` for an ASCII byte.
    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F
    }

    /// Whether `character` is part of a word (a letter, a digit, or a mark), for whole-word matches.
    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    private static let plainLetters: [Unicode.Scalar: String] = {
        let groups: [(String, String)] = [
            ("àáâãäåāăą", "a"), ("çćĉċč", "c"), ("ďđ", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥħ", "h"),
            ("ìíîïĩīĭįı", "i"), ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņňŉ", "n"), ("òóôõöøōŏő", "o"),
            ("ŕŗř", "r"), ("śŝşš", "s"), ("ţťŧ", "t"), ("ùúûüũūŭůűų", "u"), ("ŵ", "w"), ("ýÿŷ", "y"),
            ("źżž", "z"), ("ß", "ss"), ("æ", "ae"), ("œ", "oe"), ("ё", "е"),
        ]
        var table: [Unicode.Scalar: String] = [:]
        for (letters, plain) in groups {
            for scalar in letters.unicodeScalars { table[scalar] = plain }
        }
        return table
    }()
}
