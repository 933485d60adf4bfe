"""A stand-in for llama-cpp-python's OpenAI-compatible server, for Trellis's local model tests.

Takes the real server's arguments (--model, --host, --port, --chat_format, --n_ctx) and --fake MODE:
  ok     serves GET /v1/models and POST /v1/chat/completions (the answer names this process's pid)
  crash  writes a line to stderr and exits with status 3 before listening
  hang   never listens
  slow   like ok, but a chat request waits an hour
--pid-file PATH: where to write "PID PARENT-PID" once listening.
"""
import argparse, http.server, json, os, sys, time

parser = argparse.ArgumentParser()
for name in ("--model", "--host", "--port", "--chat_format", "--n_ctx"):
    parser.add_argument(name)
parser.add_argument("--fake", default="ok")
parser.add_argument("--pid-file")
args = parser.parse_args()
print(f"fake llama server pid {os.getpid()} model {args.model}", file=sys.stderr, flush=True)

if args.fake == "crash":
    print("error: failed to load model (fake crash)", file=sys.stderr, flush=True)
    sys.exit(3)
if args.fake == "hang":
    time.sleep(3600)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.reply({"object": "list", "data": [{"id": args.model, "object": "model"}]})

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if args.fake == "slow":
            time.sleep(3600)
        text = f"pid {os.getpid()}, {len(request['messages'])} messages"
        if request.get("stream"):
            chunks = [{"choices": [{"index": 0, "delta": {"content": part}, "finish_reason": None}]}
                      for part in (text[:4], text[4:])]
            chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            data = "".join(f"data: {json.dumps(chunk)}\n\n" for chunk in chunks) + "data: [DONE]\n\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Content-Length", str(len(data.encode())))
            self.end_headers()
            self.wfile.write(data.encode())
            return
        self.reply({
            "id": "chatcmpl-1", "object": "chat.completion", "model": args.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8},
        })

    def log_message(self, format, *values):
        print(format % values, file=sys.stderr, flush=True)


server = http.server.ThreadingHTTPServer((args.host, int(args.port)), Handler)
# What uvicorn logs once it listens; with --port 0 it names the port the kernel gave.
print(f"INFO:     Uvicorn running on http://{args.host}:{server.server_address[1]} (Press CTRL+C to quit)",
      file=sys.stderr, flush=True)
if args.pid_file:
    with open(args.pid_file + ".tmp", "w") as file:
        file.write(f"{os.getpid()} {os.getppid()}")
    os.rename(args.pid_file + ".tmp", args.pid_file)
server.serve_forever()
