/// The runtime's version, as the CLI prints it and as it introduces itself to peers (MCP `clientInfo`).
public enum TrellisVersion {
    /// `major.minor.patch`.
    public static let current = "0.1.0"
}
