"""The Python clients that bench/peers runs beside Trellis, each the plain way its library is used.

    python3 clients.py KIND --base-url URL [--turns T] [--parallel P] [--runs N]

KIND is ``raw`` (http.client and json, one kept-alive connection per lane), ``openai`` (the official client's
``chat.completions.create``) or ``agents`` (the OpenAI Agents SDK's ``Runner.run``, tracing off). Each runs one
warm-up conversation, then N rounds of P conversations at once (threads for raw and openai, tasks for agents), and
prints one JSON line: the CPU and wall time of the measured rounds. ``once`` makes one request with http.client and
prints the answer: the whole-process baseline, run as ``python3 -I -S clients.py once URL``.
"""

import json
import sys
import time

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "echo",
            "description": "Echoes its input",
            "parameters": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
        },
    }
]


def once(base_url):
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port)
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": "run once turns 1"}], "tools": TOOLS})
    connection.request("POST", url.path + "/chat/completions", body, {"content-type": "application/json"})
    print(json.loads(connection.getresponse().read())["choices"][0]["message"]["content"])


def raw_lane(base_url):
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port)
    path = url.path + "/chat/completions"

    def conversation(run, turns):
        messages = [{"role": "user", "content": f"run {run} turns {turns}"}]
        while True:
            body = json.dumps({"model": "m", "messages": messages, "tools": TOOLS})
            connection.request("POST", path, body, {"content-type": "application/json"})
            message = json.loads(connection.getresponse().read())["choices"][0]["message"]
            messages.append(message)
            if not message.get("tool_calls"):
                return message["content"]
            for call in message["tool_calls"]:
                arguments = json.loads(call["function"]["arguments"])
                messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(arguments)})

    return conversation


def openai_lane(base_url):
    from openai import OpenAI

    client = OpenAI(base_url=base_url, api_key="bench", max_retries=0)

    def conversation(run, turns):
        messages = [{"role": "user", "content": f"run {run} turns {turns}"}]
        while True:
            reply = client.chat.completions.create(model="m", messages=messages, tools=TOOLS)
            message = reply.choices[0].message
            messages.append(message.model_dump(exclude_none=True))
            if not message.tool_calls:
                return message.content
            for call in message.tool_calls:
                arguments = json.loads(call.function.arguments)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(arguments)})

    return conversation


def threaded(make_lane, base_url, turns, parallel, runs, tag):
    from concurrent.futures import ThreadPoolExecutor

    lanes = [make_lane(base_url) for _ in range(parallel)]
    lanes[0](f"warm-{tag}", turns)
    with ThreadPoolExecutor(parallel) as pool:
        start, cpu = time.perf_counter(), time.process_time()
        for round in range(runs):
            for answer in pool.map(lambda lane: lanes[lane](f"{tag}-{round}-{lane}", turns), range(parallel)):
                assert answer == "done", answer
        return time.process_time() - cpu, time.perf_counter() - start


def agents_sdk(base_url, turns, parallel, runs, tag):
    import asyncio

    from agents import Agent, OpenAIChatCompletionsModel, Runner, function_tool, set_tracing_disabled
    from openai import AsyncOpenAI

    set_tracing_disabled(True)

    @function_tool
    def echo(n: int) -> str:
        """Echoes its input."""
        return json.dumps({"n": n})

    client = AsyncOpenAI(base_url=base_url, api_key="bench", max_retries=0)
    agent = Agent(name="bench", tools=[echo], model=OpenAIChatCompletionsModel(model="m", openai_client=client))

    async def conversation(run):
        result = await Runner.run(agent, f"run {run} turns {turns}", max_turns=turns + 1)
        assert result.final_output == "done", result.final_output

    async def main():
        await conversation(f"warm-{tag}")
        start, cpu = time.perf_counter(), time.process_time()
        for round in range(runs):
            await asyncio.gather(*(conversation(f"{tag}-{round}-{lane}") for lane in range(parallel)))
        return time.process_time() - cpu, time.perf_counter() - start

    return asyncio.run(main())


def main(argv):
    kind = argv[0]
    if kind == "once":
        return once(argv[1])
    options = dict(zip(argv[1::2], argv[2::2]))
    base_url = options["--base-url"]
    turns, parallel, runs = (int(options.get(name, default)) for name, default in
                             (("--turns", 3), ("--parallel", 1), ("--runs", 1)))
    tag = options.get("--tag", kind)
    if kind == "agents":
        cpu, wall = agents_sdk(base_url, turns, parallel, runs, tag)
    else:
        lane = {"raw": raw_lane, "openai": openai_lane}[kind]
        cpu, wall = threaded(lane, base_url, turns, parallel, runs, tag)
    print(json.dumps({"cpu_s": cpu, "wall_s": wall}))


if __name__ == "__main__":
    main(sys.argv[1:])
