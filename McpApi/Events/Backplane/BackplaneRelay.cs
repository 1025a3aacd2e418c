namespace McpApi.Events.Backplane;

/// <summary>
/// Moves events between this replica's <see cref="BackplaneEventHub"/> and the backplane: sends what is published here
/// in publication order (retrying while the backplane is down, so a short outage delays events instead of losing them),
/// and delivers what other replicas publish. After a lost listening connection comes back it cuts the local
/// subscriptions (see <see cref="BackplaneEventHub"/>), so no subscriber keeps a silent gap.
/// </summary>
internal sealed partial class BackplaneRelay(BackplaneEventHub hub, IBackplaneTransport transport, ILogger<BackplaneRelay> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Task.Run(() => SendAsync(stoppingToken), CancellationToken.None), Task.Run(() => ListenAsync(stoppingToken), CancellationToken.None));

    private async Task SendAsync(CancellationToken stopping)
    {
        var reader = hub.Outgoing;
        try
        {
            while (await reader.WaitToReadAsync(stopping))
            {
                while (reader.TryRead(out var modelEvent))
                {
                    var message = BackplaneMessage.Write(hub.Origin, modelEvent);
                    for (var failures = 0; ; failures++)
                    {
                        try
                        {
                            await transport.SendAsync(message, stopping);
                            if (failures > 0)
                                LogSendRecovered(logger, transport.Name, failures);
                            break;
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            if (failures == 0)
                                LogSendFailed(logger, transport.Name, ex);
                            await Task.Delay(RetryDelay, stopping);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private async Task ListenAsync(CancellationToken stopping)
    {
        try
        {
            await transport.ListenAsync(Receive, Connected, stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private ValueTask Receive(string text)
    {
        if (BackplaneMessage.Read(text) is not { } message)
            LogUnreadable(logger, transport.Name, text.Length);
        else if (message.Origin != hub.Origin)
            hub.Deliver(message.ToEvent());
        return ValueTask.CompletedTask;
    }

    private void Connected(bool first)
    {
        if (first)
        {
            LogListening(logger, transport.Name);
            return;
        }
        var cut = hub.CutAll();
        LogReconnected(logger, transport.Name, cut);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event backplane {Backplane}: listening")]
    private static partial void LogListening(ILogger logger, string backplane);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event backplane {Backplane}: listening again after a lost connection; {Subscriptions} subscription(s) were ended so their clients reconnect and replay what they missed")]
    private static partial void LogReconnected(ILogger logger, string backplane, int subscriptions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event backplane {Backplane}: sending failed; retrying until it is back (events wait in order)")]
    private static partial void LogSendFailed(ILogger logger, string backplane, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event backplane {Backplane}: sending again after {Failures} failed attempt(s)")]
    private static partial void LogSendRecovered(ILogger logger, string backplane, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event backplane {Backplane}: ignored an unreadable message of {Length} characters")]
    private static partial void LogUnreadable(ILogger logger, string backplane, int length);
}
