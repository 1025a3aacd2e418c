"""Prints bench/storage/run.sh's results as a table: req/s, p50, p99, and each figure's ratio to its limit."""
import re
import sys

WRITES = ["chat_send", "notes_add", "state_set", "state_hot", "move_play"]
READS = ["notes_latest", "state_get", "chat_history"]
NAMES = {
    "echo": "echo envelope (ceiling)", "chat_send": "chat send", "notes_add": "notes add", "state_set": "state set (distinct keys)",
    "state_hot": "state set (hot key, CAS)", "move_play": "move play", "notes_latest": "notes latest", "state_get": "state get",
    "chat_history": "chat history (limit 50)",
}

runs = {}
for line in open(sys.argv[1]):
    connections, scenario, build, rest = line.split(" ", 3)
    result = {k: float(v) for k, v in re.findall(r"(\w+)=([\d.]+)", rest)}
    key = (int(connections), scenario, build)
    # The disk's limit is measured more than once; the best run is the limit.
    if key not in runs or result["rps"] > runs[key]["rps"]:
        runs[key] = result
builds = [b for b in ("baseline", "current") if any(k[2] == b for k in runs)]

for connections in (1, 32):
    disk = runs.get((1 if connections == 1 else 32, "disk_limit", "disk"))
    limits = ", ".join(f"{r['rps']:.0f} rows/s at {k[0]} row(s) per commit (commit p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms)"
                       for k, r in sorted(runs.items()) if k[1] == "disk_limit" and (k[0] == 1) == (connections == 1))
    print(f"\n### {connections} connection(s)   disk limit: {limits}\n")
    header = "| scenario |" + "".join(f" {b} req/s | p50 ms | p99 ms | x echo |" for b in builds)
    header += " x disk |" + (" after/before |" if len(builds) == 2 else "")
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for scenario in ["echo"] + WRITES + READS:
        cells = []
        for build in builds:
            r = runs.get((connections, scenario, build))
            echo = runs.get((connections, "echo", build))
            if r is None:
                cells.append(" - | - | - | - |")
                continue
            extra = f" ({r['attempts_rps']:.0f} tries/s)" if scenario == "state_hot" else ""
            err = f" [{int(r['errors'])} errors]" if r.get("errors") else ""
            cells.append(f" {r['rps']:.0f}{extra}{err} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['rps'] / echo['rps']:.2f} |")
        row = f"| {NAMES[scenario]} |" + "".join(cells)
        cur = runs.get((connections, scenario, "current"))
        row += f" {cur['rps'] / disk['rps']:.2f} |" if scenario in WRITES and cur else " |"
        if len(builds) == 2:
            before = runs.get((connections, scenario, "baseline"))
            row += f" {cur['rps'] / before['rps']:.2f}x |" if cur and before and before["rps"] else " - |"
        print(row)
    pg = runs.get((connections, "chat_send", "postgresql"))
    echo = runs.get((connections, "echo", "current"))
    if pg and echo:
        print(f"| chat send on PostgreSQL (one replica, bench/storage/postgresql.sh) |" + " - | - | - | - |" * (len(builds) - 1)
              + f" {pg['rps']:.0f} | {pg['p50_ms']:.2f} | {pg['p99_ms']:.2f} | {pg['rps'] / echo['rps']:.2f} | |" + (" |" if len(builds) == 2 else ""))
    for k, r in sorted(runs.items()):
        if k[1] == "disk_limit" and (k[0] == 1) == (connections == 1) and echo:
            print(f"| disk limit: bare INSERT, {k[0]} row(s) per commit |" + " - | - | - | - |" * (len(builds) - 1)
                  + f" {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['rps'] / echo['rps']:.2f} | {r['rps'] / disk['rps']:.2f} |"
                  + (" |" if len(builds) == 2 else ""))
print("\nx echo: req/s over the echo envelope's in the same build and connection count; x disk: the current build's"
      " durable writes/s over DiskLimit's rows/s (1 row per commit at 1 connection, 32 at 32; the best of its runs)."
      " Disk limit p50/p99 are per commit.")
