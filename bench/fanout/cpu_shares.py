"""Inclusive share of a dotnet-trace sampled-thread-time profile (speedscope, evented) spent in each method,
counting only samples of running managed code (leaf CPU_TIME); blocked and native time is reported apart.
Usage: python3 cpu_shares.py trace.speedscope.json [rows, default 45]"""
import collections
import json
import re
import sys

data = json.load(open(sys.argv[1]))
rows = int(sys.argv[2]) if len(sys.argv) > 2 else 45
frames = [re.sub(r'\(.*', '', f['name']) for f in data['shared']['frames']]
inclusive = collections.Counter()
running = other = 0.0
for profile in data['profiles']:
    stack, last = [], None
    for event in profile['events']:
        at = event['at']
        if last is not None and stack and at > last:
            names = [frames[i] for i in stack]
            if names[-1] == 'CPU_TIME':
                running += at - last
                for name in set(names):
                    inclusive[name] += at - last
            else:
                other += at - last
        last = at
        if event['type'] == 'O':
            stack.append(event['frame'])
        else:
            stack.pop()
print(f'running managed code: {running / 1000:.1f} s of samples (blocked or native: {other / 1000:.1f} s)')
skip = ('Process64', 'Thread', 'CPU_TIME', '(Non-Activities)')
shown = 0
for name, weight in inclusive.most_common():
    if not name or name.startswith(skip) or '!System.Threading.' in name and 'Monitor' not in name or 'ExecutionContext' in name \
            or 'AsyncMethodBuilderCore' in name or 'StateMachineBox' in name:
        continue
    print(f'{100 * weight / running:5.1f}%  {name[:170]}')
    shown += 1
    if shown == rows:
        break
