"""Medians of bench/cluster/run.sh's runs, as a Markdown table (stdlib only).
Usage: report.py RESULTS REPLICAS HEADER"""
import re
import statistics
import sys

results, replicas, header = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = {}
for line in open(results):
    scenario, target = line.split()[:2]
    fields = dict(re.findall(r"(\w+)=([\d.]+)", line))
    runs.setdefault((scenario, target), []).append({k: float(v) for k, v in fields.items()})


def median(scenario, target, key):
    return statistics.median(r[key] for r in runs[(scenario, target)])


def cpu_us(scenario, target, ticks):
    # CPU time per answered request, in microseconds, over all rounds together.
    rows = runs[(scenario, target)]
    requests = sum(r["requests"] for r in rows)
    return sum(r[ticks] / r["hz"] for r in rows) * 1e6 / requests if requests else float("nan")


print(open(header).read().strip())
print()
print("| scenario | balancer req/s | direct req/s | balancer / direct | per replica via balancer | p99 ms balancer / direct "
      "| errors | CPU us/request: replicas, nginx, PostgreSQL (balancer) | same, direct |")
print("|---|---|---|---|---|---|---|---|---|")
for scenario in dict.fromkeys(s for s, _ in runs):
    b, d = median(scenario, "balancer", "rps"), median(scenario, "direct", "rps")
    errors = sum(r["errors"] for t in ("balancer", "direct") for r in runs[(scenario, t)])
    cpu = lambda t: ", ".join(f"{cpu_us(scenario, t, k):.0f}" for k in ("replicas_ticks", "nginx_ticks", "pg_ticks"))
    print(f"| {scenario} | {b:.0f} | {d:.0f} | {b / d:.2f}x | {b / replicas:.0f} | "
          f"{median(scenario, 'balancer', 'p99_ms'):.1f} / {median(scenario, 'direct', 'p99_ms'):.1f} | {errors:.0f} | "
          f"{cpu('balancer')} | {cpu('direct')} |")
