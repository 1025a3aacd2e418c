using System.Collections.Concurrent;
using McpApi.Dispatching;

namespace McpApi.Tests.Infrastructure;

/// <summary>
/// Envelopes that finish in an order the test chooses, for pipelining tests: <c>gate wait</c> runs until its gate is
/// opened; <c>gate open</c> opens gates one after another, each only after the previous one's waiter has finished, so
/// the waiters finish exactly in the order given. Each waiter answers with its place in the finishing order, and the
/// model counts how many waiters ran at once.
/// </summary>
internal sealed class GateModel : IModelHandler
{
    private readonly ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);
    private int _finished;
    private int _waiting;
    private int _mostWaiting;

    public string Name => "gate";

    public string Description => "Test-only gates.";

    public IReadOnlyList<ModelAction> Actions =>
    [
        ModelAction.For<NoContext, WaitData, WaitResult>("wait", "Waits until the gate is opened.", async (call, ct) =>
        {
            var gate = GateNamed(call.Data.Gate);
            var waiting = Interlocked.Increment(ref _waiting);
            InterlockedMax(ref _mostWaiting, waiting);
            await gate.Opened.Task.WaitAsync(ct);
            Interlocked.Decrement(ref _waiting);
            var place = Interlocked.Increment(ref _finished);
            gate.Finished.TrySetResult();
            return new ModelResult<WaitResult>($"Gate {call.Data.Gate} opened", new WaitResult(call.Data.Gate, place));
        }),
        ModelAction.For<NoContext, OpenData, OpenResult>("open", "Opens gates in order, each after the previous waiter finished.", async (call, ct) =>
        {
            foreach (var name in call.Data.Gates)
            {
                var gate = GateNamed(name);
                gate.Opened.TrySetResult();
                await gate.Finished.Task.WaitAsync(ct);
            }
            return new ModelResult<OpenResult>("Opened", new OpenResult(Volatile.Read(ref _mostWaiting)));
        }),
        ModelAction.For<NoContext, NoData, OpenResult>("waiting", "How many waiters are waiting now.", (_, _) =>
            ValueTask.FromResult(new ModelResult<OpenResult>($"{Volatile.Read(ref _waiting)} waiting", new OpenResult(Volatile.Read(ref _waiting))))),
    ];

    private Gate GateNamed(string name) => _gates.GetOrAdd(name, static _ => new Gate());

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private sealed class Gate
    {
        public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Finished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public sealed record WaitData(string Gate);

    public sealed record WaitResult(string Gate, int Place);

    public sealed record OpenData(IReadOnlyList<string> Gates);

    public sealed record OpenResult(int Waiting);
}
