namespace McpApi.Events.Backplane;

/// <summary>A pub/sub engine every replica connects to: PostgreSQL LISTEN/NOTIFY or Redis pub/sub.</summary>
internal interface IBackplaneTransport : IAsyncDisposable
{
    string Name { get; }

    /// <summary>
    /// Listens until <paramref name="stopping"/>: hands each message to <paramref name="received"/> in the order the
    /// engine delivers them, reconnects after a failure, and calls <paramref name="connected"/> after every connection
    /// (true for the first, false for a reconnection: messages sent meanwhile were not received).
    /// </summary>
    Task ListenAsync(Func<string, ValueTask> received, Action<bool> connected, CancellationToken stopping);

    /// <summary>Sends one message to every replica (itself included); throws when the engine cannot be reached.</summary>
    Task SendAsync(string message, CancellationToken cancellationToken);
}
