#!/usr/bin/env python3
"""Fixture: a plugin that follows protocol 1."""
import json
import os
import sys

request = json.load(sys.stdin)
tool, arguments = request["tool"], request["arguments"]


def reply(content, is_error=False):
    json.dump({"call_id": request["call_id"], "content": content, "is_error": is_error}, sys.stdout)


if tool == "echo":
    if "text" in arguments:
        reply(arguments["text"])
    else:
        reply("echo needs 'text'", is_error=True)
elif tool == "request":
    reply(request)
elif tool == "environment":
    reply(dict(os.environ))
elif tool == "cwd":
    reply(os.getcwd())
elif tool == "refuse":
    reply("no such unit: parsec", is_error=True)
elif tool == "raw":
    sys.stderr.write(arguments.get("stderr", ""))
    sys.stdout.write(arguments.get("stdout", ""))
    sys.exit(arguments.get("exit", 0))
