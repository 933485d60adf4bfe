#!/usr/bin/env python3
"""Read-only SQL over an SQLite file in the workspace: a Trellis executable plugin (protocol 1).

Reads one JSON request from stdin, writes one JSON reply to stdout. Standard library only.
Tools:
  tables {database}                          -> [{name, type, columns: [{name, type, primary_key, not_null}]}]
  query  {database, sql, params?, max_rows?} -> {columns, rows, truncated}
"""

import base64
import json
import math
import os
import sqlite3
import sys
import urllib.parse

PROTOCOL = 1
DEFAULT_MAX_ROWS = 100
MAX_ROWS_LIMIT = 10000


class ToolError(Exception):
    """A failure the model should read: becomes a reply with is_error true."""


def resolve_database(workspace, relative):
    """Returns the real path of `relative` inside `workspace`, refusing anything that leaves it."""
    if not isinstance(workspace, str) or not workspace:
        raise ToolError("no workspace in the request context; the database path has nothing to be relative to")
    if not isinstance(relative, str) or not relative.strip():
        raise ToolError("'database' must be a non-empty path relative to the workspace")
    if os.path.isabs(relative):
        raise ToolError(f"'database' must be relative to the workspace, not absolute: {relative}")
    if ".." in relative.replace("\\", "/").split("/"):
        raise ToolError(f"'database' may not contain '..': {relative}")
    root = os.path.realpath(workspace)
    path = os.path.realpath(os.path.join(root, relative))
    if os.path.commonpath([root, path]) != root:
        raise ToolError(f"'database' resolves outside the workspace (through a symbolic link): {relative}")
    if not os.path.exists(path):
        raise ToolError(f"no such database in the workspace: {relative}")
    if not os.path.isfile(path):
        raise ToolError(f"not a file: {relative}")
    return path


def deny_attach(action, *_):
    # ATTACH could open any file on the machine, read-only or not; everything else is left to mode=ro.
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def connect(path, relative):
    uri = "file:" + urllib.parse.quote(path) + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True)
        connection.set_authorizer(deny_attach)
        # Reading the schema fails here, not later, when the file is not a database.
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return connection
    except sqlite3.DatabaseError as error:
        raise ToolError(f"cannot open {relative} as an SQLite database: {error}") from None


def json_cell(value):
    if isinstance(value, bytes):
        return {"blob_base64": base64.b64encode(value).decode("ascii"), "bytes": len(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def quote_identifier(name):
    return '"' + name.replace('"', '""') + '"'


def tool_tables(arguments, context):
    relative = arguments.get("database")
    path = resolve_database(context.get("workspace"), relative)
    connection = connect(path, relative)
    try:
        objects = connection.execute(
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        result = []
        for name, kind in objects:
            columns = connection.execute(f"PRAGMA table_info({quote_identifier(name)})").fetchall()
            result.append({
                "name": name,
                "type": kind,
                "columns": [
                    {"name": c[1], "type": c[2], "primary_key": c[5] > 0, "not_null": bool(c[3])}
                    for c in columns
                ],
            })
    finally:
        connection.close()
    return result


def tool_query(arguments, context):
    relative = arguments.get("database")
    sql = arguments.get("sql")
    params = arguments.get("params", [])
    max_rows = arguments.get("max_rows", DEFAULT_MAX_ROWS)
    if not isinstance(sql, str) or not sql.strip():
        raise ToolError("'sql' must be a non-empty SQL statement")
    if not isinstance(params, (list, dict)):
        raise ToolError("'params' must be a list of values for ? placeholders (or an object for :name ones)")
    if isinstance(max_rows, float) and max_rows.is_integer():
        max_rows = int(max_rows)
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or not 1 <= max_rows <= MAX_ROWS_LIMIT:
        raise ToolError(f"'max_rows' must be an integer from 1 to {MAX_ROWS_LIMIT}")
    path = resolve_database(context.get("workspace"), relative)
    connection = connect(path, relative)
    try:
        cursor = connection.execute(sql, params)
        fetched = cursor.fetchmany(max_rows + 1)
        columns = [d[0] for d in cursor.description] if cursor.description else []
    except (sqlite3.Error, sqlite3.Warning, ValueError, OverflowError) as error:
        raise ToolError(f"SQL error: {sql_message(error)}") from None
    finally:
        connection.close()
    return {
        "columns": columns,
        "rows": [[json_cell(v) for v in row] for row in fetched[:max_rows]],
        "truncated": len(fetched) > max_rows,
    }


def sql_message(error):
    text = str(error)
    if "readonly" in text or "read-only" in text:
        return text + " (this tool opens databases read-only)"
    if "not authorized" in text or "authorization denied" in text:
        return text + " (ATTACH, DETACH and VACUUM INTO are not allowed)"
    if "one statement at a time" in text:
        return "only one SQL statement per call is allowed"
    return text


TOOLS = {"tables": tool_tables, "query": tool_query}


def reply(content, is_error, call_id):
    message = {"content": content, "is_error": is_error}
    if isinstance(call_id, str):
        message["call_id"] = call_id
    sys.stdout.write(json.dumps(message, ensure_ascii=False, allow_nan=False))
    sys.stdout.write("\n")


def main():
    try:
        request = json.loads(sys.stdin.read())
    except ValueError as error:
        print(f"sqlite: the request on stdin is not JSON: {error}", file=sys.stderr)
        return 2
    if not isinstance(request, dict):
        print("sqlite: the request on stdin is not a JSON object", file=sys.stderr)
        return 2
    call_id = request.get("call_id")
    if request.get("protocol") != PROTOCOL:
        reply(f"unsupported protocol {request.get('protocol')!r}; this plugin speaks {PROTOCOL}", True, call_id)
        return 0
    tool = TOOLS.get(request.get("tool"))
    if tool is None:
        reply(f"unknown tool {request.get('tool')!r}; this plugin has: {', '.join(TOOLS)}", True, call_id)
        return 0
    arguments = request.get("arguments") or {}
    context = request.get("context") or {}
    if not isinstance(arguments, dict) or not isinstance(context, dict):
        reply("'arguments' and 'context' must be JSON objects", True, call_id)
        return 0
    try:
        reply(tool(arguments, context), False, call_id)
    except ToolError as error:
        reply(str(error), True, call_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
