#!/usr/bin/env python3
"""CPU shares of one server under load, from `perf script` output of a .NET process run with DOTNET_PerfMapEnabled=1.

Usage: cpu_shares.py PERF_SCRIPT_OUTPUT REQUESTS [--tree REGEX]
Each sample is charged to the deepest frame on its stack that belongs to a part listed below (the McpApi middleware,
the SDK's steps, logging, Kestrel, ...), and the parts are printed with their share and CPU microseconds per request.
--tree REGEX prints the call tree under the first frame matching REGEX instead (inclusive microseconds per request).
"""
import re
import sys

PARTS = [
    ("tool: McpApi dispatcher and model", r"^McpApi\.(Dispatching|Models|Envelopes)"),
    ("tool: McpApi ModelTool (arguments, result)", r"^McpApi\.Doors\.Mcp\.(ModelTool|McpDispatch)"),
    ("tool: baseline echo", r"EchoTools|AIFunctionMcpServerTool|ReflectionAIFunction"),
    ("SDK: new McpServer per request (options, constructor)", r"\+<CreateSessionAsync>|McpServerImpl::\.ctor|McpServerImpl::Configure|OptionsFactory|McpPrimitives"),
    ("SDK: read JSON-RPC body", r"ReadJsonRpcMessageAsync"),
    ("SDK: end of request (session dispose)", r"StreamableHttpSession\+<DisposeAsync>|StreamableHttpSession::DisposeAsync"),
    ("SDK: write SSE answer", r"SseEventWriter|StreamableHttpPostTransport\+<SendMessageAsync>"),
    ("SDK: JSON-RPC handling, filters, tool dispatch", r"^ModelContextProtocol\.(McpSessionHandler|Server\.McpServerImpl|RequestHandlers|AspNetCore\.Authorization)"),
    ("SDK: POST checks (headers, versions)", r"StreamableHttpHandler\+<HandlePostRequestAsync>|StreamableHttpHandler::HandlePostRequestAsync"),
    ("McpApi: checks around the SDK (session place, size limit, body checks)", r"McpPostPass|McpHttpChecks|McpBodyCheck|McpRequestLimit|McpSessionLimits|McpAuthenticationGate|CurrentRequest"),
    ("McpApi: relaxed escaping", r"RelaxedJson"),
    ("McpApi: endpoint selector and routing", r"McpEndpointSelector|DfaMatcher|EndpointRoutingMiddleware"),
    ("McpApi: Origin policy", r"OriginPolicy"),
    ("McpApi: request log", r"RequestCompletionLogging"),
    ("McpApi: envelope endpoint, body read, answer written", r"^McpApi\.Doors\.Http\.(EnvelopeEndpoints|EnvelopeResult|HttpBodyReader)"),
    ("metrics (OpenTelemetry, System.Diagnostics.Metrics, ASP.NET Core's and McpApi's instruments)",
     r"OpenTelemetry|System\.Diagnostics\.Metrics|McpApiMetrics|HostingMetrics|KestrelMetrics|System\.Diagnostics\.TagList"),
    ("McpApi: connection limits", r"ConnectionLimit"),
    ("ASP.NET Core middleware", r"StatusCodePages|ExceptionHandler|StaticFiles|WebSocketMiddleware|EndpointMiddleware|TraceIdentifier"),
    ("logging (Serilog / console logger)", r"BatchedConsoleSink|RequestLineFormatter|LogValueEscaping|Serilog|ConsoleLogger|SimpleConsoleFormatter|Microsoft\.Extensions\.Logging"),
    ("Kestrel, sockets, pipes", r"Kestrel|System\.IO\.Pipelines|System\.Net\.Sockets"),
    ("thread pool, timers", r"ThreadPool|TimerQueue|WorkerThread"),
]
SKIP = re.compile(r"AsyncMethodBuilderCore::Start|AsyncTaskMethodBuilder|ExecutionContext::Run|AsyncStateMachineBox|TaskAwaiter")


def frame(line):
    match = re.match(r"^\s*[0-9a-f]+ (.*) \((.*)\)$", line)
    if not match:
        return None
    symbol, dso = match.groups()
    if symbol.startswith("[unknown]"):
        return "[" + dso.split("/")[-1] + "]"
    symbol = re.sub(r"\+0x[0-9a-f]+$", "", symbol)
    symbol = re.sub(r"\[(OptimizedTier1|OptimizedTier1OSR|QuickJitted|InstrumentedTier|Optimized|PreJIT|MinOptJitted|InstrumentedTierOSR)\]$", "", symbol)
    named = re.search(r"\[[\w.]+\] (\S.*)$", symbol)
    return re.sub(r"\(.*\)$", "", named.group(1) if named else symbol)


def samples(path):
    stack = []
    for line in open(path, errors="replace"):
        if not line.strip():
            if stack:
                yield list(reversed(stack))
            stack = []
        elif line[0] not in " \t":
            stack = []
        elif (name := frame(line)) is not None:
            stack.append(name)
    if stack:
        yield list(reversed(stack))


def main():
    path, requests = sys.argv[1], int(sys.argv[2])
    stacks = list(samples(path))
    interval_us = 1e6 / int(sys.argv[sys.argv.index("--hz") + 1]) if "--hz" in sys.argv else 1e6 / 499
    per_request = interval_us / max(requests, 1)
    if "--tree" in sys.argv:
        root = re.compile(sys.argv[sys.argv.index("--tree") + 1])
        tree = {}
        for stack in stacks:
            at = next((i for i, f in enumerate(stack) if root.search(f)), None)
            if at is None:
                continue
            node = tree
            for name in [f for f in stack[at:] if not SKIP.search(f)]:
                node = node.setdefault(name, {"#": 0})
                node["#"] += 1

        def show(node, depth):
            for name, child in sorted(((n, c) for n, c in node.items() if n != "#"), key=lambda x: -x[1]["#"]):
                if child["#"] * per_request >= float(__import__("os").environ.get("MIN_US", "0.5")) and depth < 14:
                    print(f"{'  ' * depth}{child['#'] * per_request:6.1f} us  {name[:140]}")
                    show(child, depth + 1)
        show(tree, 0)
        return
    parts = [(name, re.compile(pattern)) for name, pattern in PARTS]
    totals = {}
    for stack in stacks:
        part = next((name for f in reversed(stack) for name, pattern in parts if pattern.search(f)),
                    "other: GC, runtime, kernel outside a named part")
        totals[part] = totals.get(part, 0) + 1
    for part, count in sorted(totals.items(), key=lambda x: -x[1]):
        print(f"{100 * count / len(stacks):6.1f}%  {count * per_request:7.1f} us/request  {part}")
    print(f"{len(stacks)} samples, {len(stacks) * per_request:.1f} us of CPU per request")


main()
