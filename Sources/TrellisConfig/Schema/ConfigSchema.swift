import TrellisCore

/// The JSON Schemas of agent files and `trellis.yaml`, printed by `trellis schema` for editor completion.
///
/// They are also the loader's list of allowed keys, so the schema and the loader cannot disagree.
public enum ConfigSchema {
    static let duration: JSONValue = [
        "description": "Seconds as a number, or a number with ms, s, m or h (500ms, 30s, 2m).",
        "type": ["number", "string"],
    ]

    static let model: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "required": ["name"],
        "properties": [
            "provider": ["type": "string", "description": "A provider from trellis.yaml, or a built-in one (openai)."],
            "name": ["type": "string", "description": "The provider's model id."],
            "temperature": ["type": "number"],
            "top_p": ["type": "number"],
            "max_tokens": ["type": "integer", "description": "Most tokens in one reply."],
            "stop": ["description": "Stop sequences.", "type": ["string", "array"], "items": ["type": "string"]],
            "n": ["type": "integer"],
            "seed": ["type": "integer"],
            "response_format": ["type": "object", "description": "Passed to the provider as written."],
            "extra": ["type": "object", "description": "Further request fields, passed to the provider as written."],
            "fallback": [
                "type": "array",
                "description":
                    "Models tried in order when this one fails after its retries (not on 400/413/422): provider/model-id or a map like this one.",
                "items": ["anyOf": [["type": "string"], ["type": "object"]]],
            ],
        ],
    ]

    static let toolNameList: JSONValue = [
        "description": "The tools the agent may use (all when absent).", "type": ["string", "array"],
        "items": ["type": "string"],
    ]

    static let approvalRule: JSONValue = ["enum": ["allow", "deny", "ask"]]

    static let toolChoice: JSONValue = [
        "anyOf": [
            ["enum": ["auto", "none", "required"]],
            [
                "type": "object", "additionalProperties": false, "required": ["function"],
                "properties": ["function": ["type": "string"]],
            ],
        ]
    ]

    /// The schema of one `mcp_servers:` entry.
    static let mcpServer: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "required": ["command"],
        "properties": [
            "command": [
                "type": "string",
                "description": "The server program: a name on PATH, or a path (relative to the workspace).",
            ],
            "args": ["type": "array", "items": ["type": "string"]],
            "env": [
                "type": "object", "additionalProperties": ["type": "string"],
                "description": "Variables for the server, besides PATH, HOME, LANG, USER, LOGNAME, SHELL and TERM.",
            ],
            "working_dir": ["type": "string", "description": "Relative to the workspace; default the workspace."],
            "startup_timeout": duration,
            "timeout": duration,
            "idempotent": [
                "type": ["boolean", "array"], "items": ["type": "string"],
                "description":
                    "Tools safe to run twice (true for all): re-run on resume when a crash cut their call short.",
            ],
        ],
    ]

    static let limits: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "properties": [
            "max_turns": ["type": "integer", "minimum": 1, "description": "Most model calls (default 10)."],
            "max_tool_calls": ["type": "integer", "minimum": 0, "description": "Most tool calls in the run."],
            "max_tool_calls_per_turn": [
                "type": "integer", "minimum": 1, "maximum": 10_000,
                "description": "Most tool calls run from one model reply; the rest get an error result (default 64).",
            ],
            "max_tokens": ["type": "integer", "minimum": 1, "description": "Token budget for the whole run."],
            "timeout": duration,
            "max_cost": [
                "type": "number", "minimum": 0,
                "description": "Most money the run may spend (provider billing or the pricing table in trellis.yaml).",
            ],
            "max_repeated_calls": [
                "type": "integer", "minimum": 2,
                "description": "Identical calls in a row that stop the run (default 3).",
            ],
        ],
    ]

    static let classifier: JSONValue = [
        "anyOf": [
            ["enum": ["keyword", "embedding", "fewshot", "llm"]],
            [
                "type": "object", "additionalProperties": false, "required": ["kind"],
                "properties": [
                    "kind": ["enum": ["keyword", "embedding", "fewshot", "llm"]],
                    "threshold": ["type": "number", "minimum": 0, "maximum": 1],
                    "model": ["type": "string", "description": "provider/model-id the classifier calls."],
                ],
            ],
        ]
    ]

    static let routes: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "required": ["classifier", "to"],
        "description": "Before the loop, label the input and hand the run to that label's agent.",
        "properties": [
            "classifier": [
                "description":
                    "keyword, embedding, fewshot or llm; a list is tried in order, the first confident answer wins.",
                "anyOf": [classifier, ["type": "array", "minItems": 1, "items": classifier]],
            ],
            "threshold": [
                "type": "number", "minimum": 0, "maximum": 1,
                "description": "The confidence a decision needs (default 0.5); below it the run goes to fallback.",
            ],
            "to": [
                "type": "object", "minProperties": 1,
                "additionalProperties": [
                    "anyOf": [
                        ["type": "string"],
                        [
                            "type": "object", "additionalProperties": false, "required": ["agent"],
                            "properties": [
                                "agent": ["type": "string"], "description": ["type": "string"],
                                "examples": ["type": "array", "items": ["type": "string"]],
                                "keywords": [
                                    "type": "array", "items": ["type": "string"],
                                    "description":
                                        "Words, prefix* forms and /regular expressions/ for the keyword classifier.",
                                ],
                            ],
                        ],
                    ]
                ],
            ],
            "fallback": ["type": "string", "description": "self (default) or an agent name."],
        ],
    ]

    /// The schema of `agents/<name>.yaml`.
    public static let agent: JSONValue = [
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Trellis agent",
        "type": "object",
        "additionalProperties": false,
        "required": ["model"],
        "properties": [
            "name": ["type": "string", "description": "Defaults to the file name without .yaml."],
            "description": ["type": "string"],
            "model": [
                "description": "provider/model-id, or a map with provider, name and generation options.",
                "anyOf": [["type": "string"], model],
            ],
            "system": [
                "description": "The system prompt, or {file: path} relative to the agent file.",
                "anyOf": [
                    ["type": "string"],
                    [
                        "type": "object", "additionalProperties": false, "required": ["file"],
                        "properties": ["file": ["type": "string"]],
                    ],
                ],
            ],
            "tools": [
                "type": "array",
                "description":
                    "Built-in tool names (clock), executable plugins ({plugin: NAME} for plugins/NAME/plugin.yaml) and MCP servers ({mcp: NAME} from trellis.yaml), with an optional allow: list; {agent: NAME} calls another agent as a tool.",
                "items": [
                    "anyOf": [
                        ["type": "string"],
                        [
                            "type": "object", "additionalProperties": false, "required": ["plugin"],
                            "properties": ["plugin": ["type": "string"], "allow": toolNameList],
                        ],
                        [
                            "type": "object", "additionalProperties": false, "required": ["mcp"],
                            "properties": ["mcp": ["type": "string"], "allow": toolNameList],
                        ],
                        [
                            "type": "object", "additionalProperties": false, "required": ["agent"],
                            "properties": ["agent": ["type": "string"]],
                        ],
                    ]
                ],
            ],
            "approval": [
                "description":
                    "Which tool calls run: allow, deny or ask (ask prompts on a terminal and denies without one). A rule, or {default: RULE, tools: {NAME: RULE}}.",
                "anyOf": [
                    approvalRule,
                    [
                        "type": "object", "additionalProperties": false,
                        "properties": [
                            "default": approvalRule,
                            "tools": ["type": "object", "additionalProperties": approvalRule],
                        ],
                    ],
                ],
            ],
            "tool_choice": [
                "description":
                    "auto, none, required, or {function: name}; a single forced choice applies to the first turn only. A list gives one choice per turn, the last holding for every later turn: [{function: search}, auto].",
                "anyOf": [
                    toolChoice,
                    ["type": "array", "minItems": 1, "items": toolChoice],
                ],
            ],
            "stop_at_tools": [
                "type": ["string", "array"], "minItems": 1, "uniqueItems": true, "items": ["type": "string"],
                "description":
                    "Tool names whose successful call ends the run, its result being the answer (no further model call); one name is a list of one.",
            ],
            "parallel_tool_calls": ["type": "boolean", "description": "Default true."],
            "limits": limits,
            "routes": routes,
            "handoffs": [
                "type": ["string", "array"], "minItems": 1, "uniqueItems": true, "items": ["type": "string"],
                "description":
                    "Agents the model may hand the conversation to, each offered as a transfer_to_<agent> tool.",
            ],
            "params": [
                "type": "object",
                "description": "Input parameters, written {{name}} in the system prompt and set with -p name=value.",
                "additionalProperties": [
                    "type": "object", "additionalProperties": false,
                    "properties": ["description": ["type": "string"], "default": ["type": "string"]],
                ],
            ],
        ],
    ]

    /// The schema of one `providers:` entry; kind-specific settings are listed with the kinds that take them.
    static func provider(kinds: [ProviderKind]) -> JSONValue {
        let common: JSONValue = [
            "kind": [
                "enum": .array(kinds.map { .string($0.name) }),
                "description": .string(
                    "The wire format: " + kinds.map { "\($0.name) (\($0.summary))" }.joined(separator: "; ") + "."),
            ],
            "base_url": [
                "type": "string",
                "description": .string(
                    "The API root; defaults: " + kinds.map { "\($0.name) \($0.defaultBaseURL)" }.joined(separator: ", ")
                ),
            ],
            "api_key": ["type": "string", "description": "Usually ${SOME_KEY}; never logged."],
            "headers": ["type": "object", "additionalProperties": ["type": "string"]],
            "timeout": duration,
            "max_retries": ["type": "integer", "minimum": 0, "description": "Default 2."],
            "pricing": [
                "type": "object",
                "description":
                    "Price per million tokens by model id, for providers that do not report cost: {gpt-4o-mini: {input: 0.15, output: 0.6}}.",
                "additionalProperties": [
                    "type": "object", "additionalProperties": false, "required": ["input", "output"],
                    "properties": [
                        "input": ["type": "number", "minimum": 0], "output": ["type": "number", "minimum": 0],
                    ],
                ],
            ],
        ]
        var properties = common.objectValue ?? JSONObject()
        for kind in kinds {
            for setting in kind.settings where properties[setting.name] == nil {
                let owners = kinds.filter { $0.settings.contains { $0.name == setting.name } }.map(\.name)
                let type: JSONValue =
                    setting.type == ProviderKind.Setting.duration ? duration["type"] ?? "string" : .string(setting.type)
                properties[setting.name] = [
                    "type": type, "description": .string("(\(owners.joined(separator: ", "))) \(setting.description)"),
                ]
            }
        }
        return [
            "type": "object",
            "additionalProperties": false,
            "required": ["kind"],
            "properties": .object(properties),
        ]
    }

    /// The schema of the workspace file `trellis.yaml`.
    public static func workspace(providerKinds: [ProviderKind]) -> JSONValue {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "Trellis workspace",
            "type": "object",
            "additionalProperties": false,
            "properties": [
                "providers": ["type": "object", "additionalProperties": provider(kinds: providerKinds)],
                "defaults": [
                    "type": "object", "additionalProperties": false,
                    "properties": ["model": ["type": "string", "description": "Model for agents that name none."]],
                ],
                "mcp_servers": [
                    "type": "object",
                    "description":
                        "MCP stdio servers by name, used in agents as {mcp: NAME}: {time: {command: mcp-server-time}}.",
                    "additionalProperties": mcpServer,
                ],
                "tools": [
                    "type": "object",
                    "description":
                        "Settings per built-in tool, e.g. http_get: {allow_hosts: [...]}, read_file: {root: data}.",
                    "additionalProperties": ["type": "object"],
                ],
            ],
        ]
    }

    /// The property names a schema allows.
    static func keys(_ schema: JSONValue) -> [String] {
        if let keys = schema["properties"]?.objectValue?.keys { return keys }
        for alternative in schema["anyOf"]?.arrayValue ?? [] where alternative["properties"] != nil {
            return keys(alternative)
        }
        return []
    }
}
