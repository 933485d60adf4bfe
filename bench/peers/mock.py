"""The loopback model server every client in bench/peers talks to: OpenAI Chat Completions, no streaming.

A conversation's first user message is ``run ID turns T``. The mock asks for the tool ``echo`` (arguments
``{"n": K}``) while the request holds fewer than T − 1 tool results, then answers ``done``. It writes each reply in
one piece with Nagle off, and records for every request when its last byte arrived and when the reply was written.
A client's time for turn K > 0 is the arrival of request K minus the write of reply K − 1 on the same run: what
the client spent reading the reply, running the tool and building and sending the next request.

``GET /records`` returns the records since the last call as JSON and clears them; runs named ``warm-…`` are left
out. Started with ``--port 0`` it prints the port it took on its first line.
"""

import argparse
import asyncio
import json
import socket
import time

RECORDS = []  # [run, turn, arrived, replied, request bytes]


def reply_for(body):
    request = json.loads(body)
    messages = request["messages"]
    first = next(m for m in messages if m["role"] == "user")
    text = first["content"] if isinstance(first["content"], str) else first["content"][0]["text"]
    words = text.split()
    run, turns = words[1], int(words[3])
    done = sum(1 for m in messages if m["role"] == "tool")
    if done < turns - 1:
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_{done + 1}",
                    "type": "function",
                    "function": {"name": "echo", "arguments": json.dumps({"n": done + 1})},
                }
            ],
        }
        finish = "tool_calls"
    else:
        message = {"role": "assistant", "content": "done"}
        finish = "stop"
    reply = {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": 1,
        "model": request.get("model", "m"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 5, "total_tokens": 25},
    }
    return run, done, json.dumps(reply, separators=(",", ":")).encode()


def response(status, body, content_type="application/json"):
    head = f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


async def serve(reader, writer):
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path = lines[0].split(" ")[:2]
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            body = await reader.readexactly(length) if length else b""
            arrived = time.perf_counter()
            if method == "GET" and path.endswith("/records"):
                records = [r for r in RECORDS if not r[0].startswith("warm-")]
                RECORDS.clear()
                writer.write(response("200 OK", json.dumps(records).encode()))
            elif method == "POST" and path.endswith("/chat/completions"):
                run, turn, payload = reply_for(body)
                writer.write(response("200 OK", payload))
                RECORDS.append([run, turn, arrived, time.perf_counter(), len(body)])
            else:
                writer.write(response("404 Not Found", b'{"error":{"message":"not found"}}'))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    asyncio.run(main(parser.parse_args().port))
