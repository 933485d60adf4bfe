#!/bin/sh
# Fixture: reports its tools through --describe.
if [ "$1" = "--describe" ]; then
  cat <<'JSON'
{"protocol": 1, "tools": [
  {"name": "whisper", "description": "Says it quietly",
   "parameters": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}},
  {"name": "shout", "description": "Described, but listed too"}
]}
JSON
  exit 0
fi
cat >/dev/null
printf '{"content":"ok","is_error":false}\n'
