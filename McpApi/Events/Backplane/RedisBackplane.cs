using StackExchange.Redis;

namespace McpApi.Events.Backplane;

/// <summary>
/// Redis pub/sub through StackExchange.Redis. The multiplexer reconnects by itself and re-subscribes; messages of one
/// channel are handled one at a time, in the order Redis delivers them. A restored subscription connection is reported
/// as a reconnection (messages published meanwhile were not received).
/// </summary>
internal sealed class RedisBackplane(string configuration, string channel, ILogger<RedisBackplane> logger) : IBackplaneTransport
{
    private readonly RedisChannel _channel = RedisChannel.Literal(channel);
    private readonly TaskCompletionSource<ConnectionMultiplexer> _connection = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Name => "Redis";

    public async Task ListenAsync(Func<string, ValueTask> received, Action<bool> connected, CancellationToken stopping)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ClientName ??= "McpApi";
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(options);
        _connection.TrySetResult(multiplexer);
        multiplexer.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
                connected(false);
        };
        multiplexer.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Subscription)
                logger.LogWarning(e.Exception, "Event backplane Redis: the subscription connection failed ({FailureType}); reconnecting", e.FailureType);
        };
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var queue = await multiplexer.GetSubscriber().SubscribeAsync(_channel);
                connected(true);
                await using var stop = stopping.Register(() => queue.Unsubscribe());
                while (await queue.ReadAsync(stopping) is { } message)
                {
                    if (message.Message.HasValue)
                        await received(message.Message!);
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Event backplane Redis: could not subscribe; retrying");
                await Task.Delay(TimeSpan.FromMilliseconds(500), stopping);
            }
            catch (System.Threading.Channels.ChannelClosedException) when (!stopping.IsCancellationRequested)
            {
            }
        }
    }

    public async Task SendAsync(string message, CancellationToken cancellationToken)
    {
        var multiplexer = await _connection.Task.WaitAsync(cancellationToken);
        if (!multiplexer.IsConnected)
            throw new InvalidOperationException("Redis is not connected; the event waits for the connection to come back.");
        await multiplexer.GetSubscriber().PublishAsync(_channel, message).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.Task.IsCompletedSuccessfully)
            await (await _connection.Task).DisposeAsync();
    }
}
