/// Hides the credentials a URL may carry in its userinfo (`https://user:secret@host`) before it is printed.
public enum URLCredentials {
    /// The text that replaces a URL's userinfo.
    public static let placeholder = "[redacted]"

    /// `url` with everything before the `@` of its authority replaced by ``placeholder``:
    /// `https://user:pass@host/v1` prints as `https://[redacted]@host/v1`; a URL without userinfo is unchanged.
    /// The user name goes too, as some services take a token there.
    public static func redacted(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { !"/?#".contains($0) }
        guard let at = authority.lastIndex(of: "@") else { return url }
        return String(url[..<scheme.upperBound]) + placeholder + String(url[at...])
    }
}
