import TrellisCore

/// Decides `ask` calls from the decisions recorded through the approvals API; a call without one is left pending,
/// which parks the run.
struct StoredApprover: ToolApprover {
    let decisions: [String: ToolApprovalDecision]

    func decide(_ call: ToolCall, agent: String) async -> ToolApprovalDecision { decisions[call.id] ?? .pending }
}
