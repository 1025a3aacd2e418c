"""Switches a McpApi server's metrics on and off (through bench/MetricsSwitch's file) while wrk loads it, and prints
one line per slice: its state, requests/s, the server's CPU time per request and the share of the CPUs stolen.

    [METRICS_SWITCH_MODES="MODE ..."] metrics_switch_sampler.py PID PORT SWITCH_FILE SLICE_SECONDS GROUPS LABEL

Requests are counted from the bytes the server's connections on PORT received (`ss`: every wrk request is alike, so
bytes / bytes per request); CPU time from /proc/PID/stat. Groups of four slices A B B A, cost groups (off on on off)
and A/A groups (off off off off) in turn, GROUPS of each (with METRICS_SWITCH_MODES, cost groups of each mode). Before every slice the hook is asked for its state (and
collects the heap), changed or not; that and the next 0.25 s are in no slice.
"""
import os, re, subprocess, sys, time

pid, port, switch, slice_seconds, groups, label = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
# METRICS_SWITCH_MODES="full mcpapi-only": cost groups of each mode (bench/MetricsSwitch) in turn, side by side in one run.
modes = os.environ.get("METRICS_SWITCH_MODES", "").split()
hz = os.sysconf("SC_CLK_TCK")


def cpu_ticks():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime + stime


def received():
    out = subprocess.run(["ss", "-tinH", "state", "established", f"sport = :{port}"], capture_output=True, text=True, check=True).stdout
    return sum(int(n) for n in re.findall(r"bytes_received:(\d+)", out))


def machine():
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return fields[7], sum(fields)   # stolen, total


requests_sent = 0


def switch_to(state):
    global requests_sent
    requests_sent += 1
    request = f"{state} {requests_sent}"   # numbered: the hook answers (and collects the heap) before every slice
    with open(switch + ".tmp", "w") as f:
        f.write(request)
    os.replace(switch + ".tmp", switch)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if open(switch + ".applied").read().strip() == request:
                return
        except FileNotFoundError:
            pass
        time.sleep(0.002)
    sys.exit(f"the metrics switch did not turn {state}")


def sample():
    stolen, total = machine()
    return time.monotonic(), cpu_ticks(), received(), stolen, total


# Bytes per request: the request wrk sends for bench/echo.lua (request line, Host, Content-Length, Content-Type, body);
# only ratios of slices are judged, so a header more or less would not change them.
body = b'{"model":"echo","context":"user","data":"Hello, world!"}'
request_bytes = len(f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {len(body)}\r\nContent-Type: application/json\r\n\r\n".encode()) + len(body)

kinds = [("cost", "on")] if not modes else [(f"cost-{mode}", f"on:{mode}") for mode in modes]
kinds.append(("aa", "off"))
for group in range(1, len(kinds) * groups + 1):
    kind, b = kinds[(group - 1) % len(kinds)]
    for state in ("off", b, b, "off"):
        switch_to(state)
        time.sleep(0.25)   # the load settles after the collection (a blocking GC holds every thread)
        t0, c0, r0, s0, m0 = sample()
        time.sleep(slice_seconds)
        t1, c1, r1, s1, m1 = sample()
        requests = (r1 - r0) / request_bytes
        if requests < 100:
            sys.exit(f"slice {group}/{state}: {requests:.0f} requests - is wrk still running?")
        print(f"{label} {group} {kind} {state.split(':')[0]} rps={requests / (t1 - t0):.0f} cpu_us={(c1 - c0) / hz * 1e6 / max(requests, 1):.3f} "
              f"steal_pct={100 * (s1 - s0) / max(m1 - m0, 1):.1f}", flush=True)
