import TrellisCore

extension PluginManifest {
    /// The JSON Schema of `plugin.yaml`, for editor completion.
    ///
    /// It is also the loader's list of allowed keys, so the schema and the loader cannot disagree.
    public static let schema: JSONValue = [
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Trellis executable plugin",
        "type": "object",
        "additionalProperties": false,
        "required": ["protocol", "command"],
        "properties": [
            "protocol": ["const": 1, "description": "The plugin protocol version; only 1 exists."],
            "name": ["type": "string", "description": "Defaults to, and must equal, the folder name."],
            "description": ["type": "string", "description": "One line about the plugin."],
            "command": [
                "type": "string",
                "description":
                    "The program: a path with a '/' resolves against the plugin folder; a bare name is looked up on PATH.",
            ],
            "args": ["type": "array", "items": ["type": "string"], "description": "Arguments for the command."],
            "timeout": [
                "description": "Per call: seconds as a number, or 500ms, 10s, 2m (default 30s).",
                "type": ["number", "string"],
            ],
            "env": [
                "type": "array", "items": ["type": "string"],
                "description": "Variables passed through from the runtime's environment, besides PATH, HOME and LANG.",
            ],
            "working_dir": [
                "type": "string",
                "description": "workspace (default), plugin, or a path relative to the plugin folder.",
            ],
            "max_output_bytes": [
                "type": "integer", "minimum": 1, "description": "Cap on a call's stdout (default 1048576).",
            ],
            "describe": [
                "type": "boolean",
                "description": "true: tools come from `command args --describe`; tools listed here still win.",
            ],
            "tools": ["type": "array", "items": tool],
        ],
    ]

    /// The schema of one `tools:` entry.
    static let tool: JSONValue = [
        "type": "object",
        "additionalProperties": false,
        "required": ["name"],
        "properties": [
            "name": [
                "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$",
                "description": "The name the model calls the tool by.",
            ],
            "description": ["type": "string", "description": "What the tool does, for the model."],
            "parameters": [
                "type": "object",
                "description": "The JSON Schema of the arguments, an object schema (default: no arguments).",
            ],
            "idempotent": [
                "type": "boolean",
                "description":
                    "true when running the tool twice does no more than once; a call a crash cut short is re-run on resume only then.",
            ],
        ],
    ]
}
