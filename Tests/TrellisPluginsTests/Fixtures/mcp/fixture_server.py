#!/usr/bin/env python3
"""A small MCP stdio server (standard library only) that misbehaves on demand, for Trellis's MCP client tests.

Flags:
  --protocol V       answer initialize with protocolVersion V (default: the version the client asked for)
  --mute             never answer initialize
  --exit-at-start N  write "bad configuration" to stderr and exit with status N before reading anything
  --page-size N      split tools/list into pages of N tools (nextCursor)
  --stderr-flood N   write N bytes to stderr before starting
  --ignore-stop      ignore SIGTERM and the end of stdin (only SIGKILL stops it)
  --pid-file PATH    append this process's id and a newline to PATH at start
  --spawn-sleeper    start `sleep 60` as a child (its id goes to the pid file too) and leave it behind on exit
"""
import argparse
import json
import os
import signal
import sys
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--protocol")
parser.add_argument("--mute", action="store_true")
parser.add_argument("--exit-at-start", type=int)
parser.add_argument("--page-size", type=int, default=0)
parser.add_argument("--stderr-flood", type=int, default=0)
parser.add_argument("--ignore-stop", action="store_true")
parser.add_argument("--pid-file")
parser.add_argument("--spawn-sleeper", action="store_true")
options = parser.parse_args()

if options.pid_file:
    with open(options.pid_file, "a") as pids:
        pids.write("%d\n" % os.getpid())

if options.spawn_sleeper:
    import subprocess
    sleeper = subprocess.Popen(["sleep", "60"])
    with open(options.pid_file, "a") as pids:
        pids.write("%d\n" % sleeper.pid)

if options.exit_at_start is not None:
    sys.stderr.write("bad configuration\n")
    sys.exit(options.exit_at_start)
if options.ignore_stop:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if options.stderr_flood:
    sys.stderr.write("x" * (options.stderr_flood - 1) + "\n")
    sys.stderr.flush()

write_lock = threading.Lock()
answers = {}
answers_ready = threading.Condition()
cancellations = []


def send(message):
    with write_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def text(value, is_error=False):
    return {"content": [{"type": "text", "text": value}], "isError": is_error}


def ask_client(request_id, method):
    send({"jsonrpc": "2.0", "id": request_id, "method": method})
    with answers_ready:
        answers_ready.wait_for(lambda: request_id in answers, timeout=5)
        return answers.pop(request_id, None)


TOOLS = [
    ("echo", "Returns its text", {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}),
    ("pid", "Returns the server's process id", None),
    ("crash", "Exits with status 3, after a delay", {"type": "object", "properties": {"seconds": {"type": "number"}}}),
    ("fail", "Returns an isError result", None),
    ("rpc_error", "Answers with a JSON-RPC error", None),
    ("ping_me", "Sends ping and roots/list to the client mid-call", None),
    ("sleep", "Sleeps", {"type": "object", "properties": {"seconds": {"type": "number"}}}),
    ("mixed", "Returns text, an image and a resource link", None),
    ("structured", "Returns only structuredContent", None),
    ("cancellations", "Lists the notifications/cancelled received", None),
    ("flood", "Writes 1 MB to stderr, then answers", None),
    ("environment", "Returns the server's environment variables and working directory", None),
    ("deaf", "Answers, then stops reading stdin", {"type": "object", "properties": {"seconds": {"type": "number"}}}),
    ("endless", "Starts an answer and never ends its line", None),
]


def call(name, arguments):
    if name == "echo":
        return text(arguments.get("text", ""))
    if name == "pid":
        return text(str(os.getpid()))
    if name == "crash":
        time.sleep(arguments.get("seconds", 0))
        sys.stderr.write("fatal: crashing on purpose\n")
        sys.stderr.flush()
        os._exit(3)
    if name == "fail":
        return text("disk full", is_error=True)
    if name == "ping_me":
        send({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "hello"}})
        ping = ask_client("srv-ping", "ping")
        roots = ask_client("srv-roots", "roots/list")
        return text("ping: %s; roots/list: %s" % (json.dumps(ping.get("result")), json.dumps(roots.get("error"))))
    if name == "sleep":
        time.sleep(arguments.get("seconds", 5))
        return text("slept")
    if name == "mixed":
        return {"content": [
            {"type": "text", "text": "first"},
            {"type": "image", "mimeType": "image/png", "data": "iVBORw0KGgoAAAANSUhEUg=="},
            {"type": "resource_link", "uri": "file:///tmp/report.txt", "name": "report"},
            {"type": "text", "text": "last"},
        ]}
    if name == "structured":
        return {"content": [], "structuredContent": {"celsius": 21.5, "city": "Kazan"}}
    if name == "environment":
        return text(json.dumps({"variables": dict(os.environ), "cwd": os.getcwd()}))
    if name == "cancellations":
        return text(json.dumps(cancellations))
    if name == "flood":
        sys.stderr.write(("y" * 1023 + "\n") * 1024)
        sys.stderr.write("flood done\n")
        sys.stderr.flush()
        return text("flooded")
    return None


def handle_call(request_id, params):
    name = params.get("name")
    if name == "rpc_error":
        send({"jsonrpc": "2.0", "id": request_id,
              "error": {"code": -32000, "message": "backend down", "data": {"retry": False}}})
        return
    result = call(name, params.get("arguments") or {})
    if result is None:
        send({"jsonrpc": "2.0", "id": request_id, "error": {"code": -32602, "message": "Unknown tool: %s" % name}})
    else:
        send({"jsonrpc": "2.0", "id": request_id, "result": result})


def list_tools(request_id, params):
    tools = [{"name": n, "description": d, "inputSchema": s or {"type": "object", "properties": {}}} for n, d, s in TOOLS]
    start = int(params.get("cursor") or 0)
    size = options.page_size or len(tools)
    result = {"tools": tools[start:start + size]}
    if start + size < len(tools):
        result["nextCursor"] = str(start + size)
    send({"jsonrpc": "2.0", "id": request_id, "result": result})


for line in sys.stdin:
    message = json.loads(line)
    method = message.get("method")
    if method is None:
        with answers_ready:
            answers[message.get("id")] = message
            answers_ready.notify_all()
    elif method == "initialize":
        if options.mute:
            sys.stderr.write("mute: ignoring initialize\n")
            sys.stderr.flush()
            continue
        version = options.protocol or message["params"]["protocolVersion"]
        send({"jsonrpc": "2.0", "id": message["id"], "result": {
            "protocolVersion": version, "capabilities": {"tools": {}},
            "serverInfo": {"name": "fixture", "version": "1.0"}}})
    elif method == "tools/list":
        list_tools(message["id"], message.get("params") or {})
    elif method == "tools/call" and message["params"].get("name") == "deaf":
        # Answers, then stops reading stdin for a while, so the client's writes fill the pipe.
        send({"jsonrpc": "2.0", "id": message["id"], "result": text("deaf")})
        time.sleep(message["params"].get("arguments", {}).get("seconds", 2))
    elif method == "tools/call" and message["params"].get("name") == "endless":
        # An answer whose line never ends: 1 MiB after 1 MiB, until the client stops the server.
        sys.stdout.write('{"jsonrpc": "2.0", "id": %d, "result": {"content": [{"type": "text", "text": "' % message["id"])
        chunk = "x" * (1 << 20)
        while True:
            sys.stdout.write(chunk)
            sys.stdout.flush()
    elif method == "tools/call":
        threading.Thread(target=handle_call, args=(message["id"], message["params"]), daemon=True).start()
    elif method == "notifications/cancelled":
        cancellations.append(message["params"])
    elif "id" in message:
        send({"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "Method not found"}})

if options.ignore_stop:
    while True:
        time.sleep(60)
