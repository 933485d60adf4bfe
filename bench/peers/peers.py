"""Trellis beside its peers, in one run, against one loopback mock (bench/peers/mock.py). Run it with bench/peers/run.

Clients: Trellis in-process (``trellis-bench client``) and as a whole process (``trellis run``), the OpenAI Agents
SDK, the bare ``openai`` client, and a raw ``http.client`` loop (clients.py). Every figure is taken in the same run,
with the clients interleaved (their order rotates each repeat), and reported as the median over repeats:

- per-turn client time for 1, 3, 50 and 200 turns, timed by the mock between one reply and the next request, and the
  client's CPU per run;
- 1, 10 and 50 conversations at once (3 turns each): turns per second and CPU per turn;
- a 1-turn run as a whole process: wall, CPU and peak RSS;
- one executable plugin call and one MCP call (``trellis-bench plugin`` / ``mcp``), beside Python's
  ``subprocess.run`` of the same plugin script.

It prints the tables as Markdown and writes the plot of time per turn against transcript length (``--plot``).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENTS = os.path.join(HERE, "clients.py")
PEERS = ["trellis", "raw", "openai", "agents"]
LABELS = {
    "trellis": "Trellis (in-process)",
    "raw": "raw http.client loop",
    "openai": "bare openai client",
    "agents": "OpenAI Agents SDK",
}


class Mock:
    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "mock.py"), "--port", "0"], stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())
        self.base_url = f"http://127.0.0.1:{self.port}/v1"

    def records(self):
        with urllib.request.urlopen(self.base_url + "/records") as reply:
            return json.load(reply)

    def stop(self):
        self.process.terminate()
        self.process.wait()


def median(values):
    return statistics.median(values) if values else float("nan")


def run_client(peer, bench, mock, turns, parallel, runs, tag):
    options = ["--base-url", mock.base_url, "--turns", str(turns), "--parallel", str(parallel), "--runs", str(runs),
               "--tag", tag]
    if peer == "trellis":
        command = [bench, "client"] + options
    else:
        command = [sys.executable, CLIENTS, peer] + options
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    return figures, mock.records()


def client_times(records):
    """Per-turn client time in ms, keyed by turn index (1…): arrival of request K minus reply K − 1's write."""
    by_run = {}
    for run, turn, arrived, replied, _ in records:
        by_run.setdefault(run, {})[turn] = (arrived, replied)
    times = {}
    for turns in by_run.values():
        for turn, (arrived, _) in turns.items():
            if turn > 0 and turn - 1 in turns:
                times.setdefault(turn, []).append((arrived - turns[turn - 1][1]) * 1000)
    return times


def turn_sweep(args, mock):
    results = {}  # (peer, turns) -> {"client": [ms per repeat], "cpu": [ms per run per repeat], "curve": {k: [ms]}}
    runs_for = {1: 100, 3: 50, 50: 4, 200: 2}
    for repeat in range(args.repeats):
        order = PEERS[repeat % len(PEERS):] + PEERS[:repeat % len(PEERS)]
        for turns in args.turns:
            runs = max(1, runs_for.get(turns, 2) // (4 if args.quick else 1))
            for peer in order:
                figures, records = run_client(peer, args.bench, mock, turns, 1, runs, f"{peer}-t{turns}-r{repeat}")
                entry = results.setdefault((peer, turns), {"client": [], "cpu": [], "curve": {}})
                times = client_times(records)
                later = [t for values in times.values() for t in values]
                if later:
                    entry["client"].append(median(later))
                entry["cpu"].append(figures["cpu_s"] * 1000 / runs)
                for turn, values in times.items():
                    entry["curve"].setdefault(turn, []).extend(values)
                print(f"  turns {turns:3} {peer:8} repeat {repeat + 1}: client {median(later):.3f} ms/turn, "
                      f"cpu {figures['cpu_s'] * 1000 / runs:.2f} ms/run", file=sys.stderr, flush=True)
    return results


def parallel_sweep(args, mock):
    results = {}  # (peer, parallel) -> {"rate": [turns/s], "cpu": [ms per turn], "client": [ms]}
    for repeat in range(args.repeats):
        order = PEERS[repeat % len(PEERS):] + PEERS[:repeat % len(PEERS)]
        for parallel in args.parallel:
            rounds = max(2, (200 // parallel) // (4 if args.quick else 1))
            for peer in order:
                figures, records = run_client(
                    peer, args.bench, mock, 3, parallel, rounds, f"{peer}-p{parallel}-r{repeat}")
                turns = 3 * parallel * rounds
                entry = results.setdefault((peer, parallel), {"rate": [], "cpu": [], "client": []})
                entry["rate"].append(turns / figures["wall_s"])
                entry["cpu"].append(figures["cpu_s"] * 1000 / turns)
                entry["client"].append(median([t for v in client_times(records).values() for t in v]))
                print(f"  parallel {parallel:3} {peer:8} repeat {repeat + 1}: {turns / figures['wall_s']:.0f} turns/s",
                      file=sys.stderr, flush=True)
    return results


def measure_process(command, env=None):
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    output = process.stdout.read().decode()
    process.stdout.close()
    error = process.stderr.read().decode()
    process.stderr.close()
    if status != 0:
        raise RuntimeError(f"{command[0]} failed ({status}): {error or output}")
    return {"wall": wall * 1000, "cpu": (usage.ru_utime + usage.ru_stime) * 1000, "rss": peak_rss(command, env),
            "output": output}


def peak_rss(command, env):
    """The command's peak RSS in MB, from a run under GNU time.

    Not from wait4: a child spawned straight from this script starts with this script's own peak (vfork shares the
    memory and exec keeps the high-water mark), which hides any figure below it. GNU time forks a small process
    and reports its child's own.
    """
    with tempfile.NamedTemporaryFile("r") as report:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", report.name] + command, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(report.read().split()[-1]) / 1024


def whole_process(args, mock):
    workspace = tempfile.mkdtemp(prefix="trellis-peers-")
    os.makedirs(os.path.join(workspace, "agents"))
    with open(os.path.join(workspace, "trellis.yaml"), "w") as file:
        file.write(f"providers:\n  mock:\n    kind: openai\n    base_url: {mock.base_url}\n    max_retries: 0\n")
    with open(os.path.join(workspace, "agents", "bench.yaml"), "w") as file:
        file.write("model: {provider: mock, name: m}\n")
    env = dict(os.environ, HOME=workspace)
    commands = {
        "trellis run": [args.trellis, "run", "bench", "run once turns 1", "--workspace", workspace],
        "trellis --help": [args.trellis, "--help"],
        "python3 -I -S (http.client)": [sys.executable, "-I", "-S", CLIENTS, "once", mock.base_url],
        "OpenAI Agents SDK": [sys.executable, CLIENTS, "agents", "--base-url", mock.base_url, "--turns", "1",
                              "--runs", "0", "--tag", "warm-process"],
    }
    results = {name: [] for name in commands}
    repeats = 3 if args.quick else 10
    for repeat in range(repeats):
        for name, command in commands.items():
            figures = measure_process(command, env)
            if name == "trellis run" and "done" not in figures["output"]:
                raise RuntimeError(f"trellis run answered {figures['output']!r}")
            results[name].append(figures)
    mock.records()
    return results


def plugin_and_mcp(args):
    runs = "100" if args.quick else "500"
    figures = {}
    for suite in ("plugin", "mcp"):
        output = subprocess.run([args.bench, suite, "--runs", runs], capture_output=True, text=True)
        if output.returncode != 0:
            figures[suite] = {"error": (output.stderr or output.stdout).strip().splitlines()[-1:]}
            continue
        lines = {}
        for line in output.stdout.splitlines():
            found = re.match(r"(.+?):\s+p50 ([\d.-]+) ms\s+p90 ([\d.-]+) ms\s+p99 ([\d.-]+) ms", line)
            if found:
                lines[found.group(1).strip()] = [float(found.group(k)) for k in (2, 3, 4)]
        figures[suite] = lines
    # Python's subprocess.run of the same plugin script and request, for the plugin row.
    folder = tempfile.mkdtemp(prefix="trellis-peers-plugin-")
    script = os.path.join(folder, "plugin.sh")
    with open(script, "w") as file:
        file.write("#!/bin/sh\nread -r request\nprintf '{\"content\":\"ok\",\"is_error\":false}\\n'\n")
    os.chmod(script, 0o755)
    request = json.dumps({"tool": "ok", "arguments": {}, "call_id": "call_1"}).encode() + b"\n"
    samples = []
    for index in range(int(runs) + 50):
        start = time.perf_counter()
        reply = subprocess.run([script], input=request, capture_output=True, cwd=folder)
        json.loads(reply.stdout)
        if index >= 50:
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    figures["python"] = [samples[len(samples) * p // 100] for p in (50, 90, 99)]
    return figures


def ratio(value, base):
    return f"{value / base:.2f}×" if base else "–"


def report(args, sweep, parallel, processes, calls):
    print(f"\n## Side by side ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at the end, {args.repeats} repeats, medians)\n")
    print("### Client time per later model turn (timed by the mock), and client CPU per run\n")
    header = "| client | " + " | ".join(f"{t} turns" for t in args.turns) + " |"
    print(header)
    print("|---" * (len(args.turns) + 1) + "|")
    for peer in PEERS:
        cells = []
        for turns in args.turns:
            entry, base = sweep[(peer, turns)], sweep[("raw", turns)]
            client = median(entry["client"])
            cpu = median(entry["cpu"])
            text = f"{cpu:.2f} ms CPU ({ratio(cpu, median(base['cpu']))})"
            if entry["client"]:
                text = f"{client:.3f} ms/turn ({ratio(client, median(base['client']))}), " + text
            cells.append(text)
        print(f"| {LABELS[peer]} | " + " | ".join(cells) + " |")
    print("\nRatios are to the raw http.client loop in the same column.\n")

    print("### Conversations at once (3 turns each)\n")
    print("| client | " + " | ".join(f"{p} at once" for p in args.parallel) + " |")
    print("|---" * (len(args.parallel) + 1) + "|")
    for peer in PEERS:
        cells = []
        for p in args.parallel:
            entry, base = parallel[(peer, p)], parallel[("raw", p)]
            cells.append(f"{median(entry['rate']):,.0f} turns/s, {median(entry['cpu']):.3f} ms CPU/turn "
                         f"({ratio(median(entry['cpu']), median(base['cpu']))})")
        print(f"| {LABELS[peer]} | " + " | ".join(cells) + " |")

    print("\n### A 1-turn run as a whole process\n")
    print("| command | wall | CPU | peak RSS |")
    print("|---|---|---|---|")
    base = processes["python3 -I -S (http.client)"]
    for name, samples in processes.items():
        wall, cpu, rss = (median([s[key] for s in samples]) for key in ("wall", "cpu", "rss"))
        print(f"| {name} | {wall:.1f} ms ({ratio(wall, median([s['wall'] for s in base]))}) | {cpu:.1f} ms | "
              f"{rss:.1f} MB ({ratio(rss, median([s['rss'] for s in base]))}) |")

    print("\n### One tool call (p50 / p90 / p99, ms)\n")
    print("| call | p50 | p90 | p99 |")
    print("|---|---|---|---|")
    for suite in ("plugin", "mcp"):
        if "error" in calls[suite]:
            print(f"| {suite} | could not run: {' '.join(calls[suite]['error'])} | | |")
            continue
        for label, values in calls[suite].items():
            print(f"| {suite}: {label} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    print("| plugin: Python subprocess.run of the same script | " +
          " | ".join(f"{v:.3f}" for v in calls["python"]) + " |")


def plot(args, sweep):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    turns = max(args.turns)
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
    for peer in PEERS:
        curve = sweep[(peer, turns)]["curve"]
        points = sorted((2 * k + 1, median(values)) for k, values in curve.items())
        axes.plot([p[0] for p in points], [p[1] for p in points], label=LABELS[peer], linewidth=1.2)
    axes.set_yscale("log")
    axes.set_xlabel("messages in the transcript sent that turn")
    axes.set_ylabel("client time per turn (ms, log scale)")
    axes.set_title(f"Client time per model turn over a {turns}-turn run (loopback mock, median of runs)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(args.plot)
    print(f"\nplot: {args.plot}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bench", required=True, help="the release trellis-bench binary")
    parser.add_argument("--trellis", required=True, help="the trellis binary to run as a whole process")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--turns", type=int, nargs="+", default=[1, 3, 50, 200])
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--plot", default=os.path.join(HERE, "..", "..", "docs", "peers.png"))
    parser.add_argument("--quick", action="store_true", help="fewer runs per figure (a smoke test)")
    args = parser.parse_args()
    args.plot = os.path.abspath(args.plot)

    mock = Mock()
    try:
        print("turns sweep", file=sys.stderr)
        sweep = turn_sweep(args, mock)
        print("parallel sweep", file=sys.stderr)
        parallel = parallel_sweep(args, mock)
        print("whole processes", file=sys.stderr)
        processes = whole_process(args, mock)
    finally:
        mock.stop()
    print("plugin and MCP calls", file=sys.stderr)
    calls = plugin_and_mcp(args)
    report(args, sweep, parallel, processes, calls)
    plot(args, sweep)


if __name__ == "__main__":
    main()
