using System.Collections.Concurrent;
using System.Text;
using Npgsql;

namespace McpApi.Events.Backplane;

/// <summary>
/// PostgreSQL LISTEN/NOTIFY. NOTIFY payloads are limited to 8000 bytes, so a message is sent as parts of at most
/// <see cref="PartChars"/> characters (each at most 3 bytes in UTF-8), <c>{id}|{index}|{count}|{text}</c>, all in one
/// transaction; PostgreSQL delivers one transaction's notifications together and in order, and listeners put the parts
/// back together. One connection listens, another sends; both are reopened after a failure.
/// </summary>
internal sealed class PostgreSqlBackplane(string connectionString, string channel, ILogger<PostgreSqlBackplane> logger) : IBackplaneTransport
{
    public const int PartChars = 2000;

    private readonly NpgsqlDataSource _dataSource = new NpgsqlDataSourceBuilder(
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "McpApi backplane", KeepAlive = 10 }.ConnectionString).Build();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ConcurrentDictionary<string, string?[]> _partial = new(StringComparer.Ordinal);
    private NpgsqlConnection? _sender;
    private long _sent;

    public string Name => "PostgreSql";

    public async Task ListenAsync(Func<string, ValueTask> received, Action<bool> connected, CancellationToken stopping)
    {
        var first = true;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(stopping);
                var arrived = new ConcurrentQueue<string>();
                connection.Notification += (_, e) => arrived.Enqueue(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {channel};", connection))
                    await listen.ExecuteNonQueryAsync(stopping);
                _partial.Clear();
                connected(first);
                first = false;
                while (true)
                {
                    await connection.WaitAsync(stopping);
                    while (arrived.TryDequeue(out var payload))
                    {
                        if (Assemble(payload) is { } message)
                            await received(message);
                    }
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or IOException)
            {
                logger.LogWarning(ex, "Event backplane PostgreSql: the listening connection failed; reconnecting");
                await Task.Delay(TimeSpan.FromMilliseconds(500), stopping);
            }
        }
    }

    public async Task SendAsync(string message, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            var connection = _sender ??= await _dataSource.OpenConnectionAsync(cancellationToken);
            try
            {
                var parts = Split(message);
                var id = $"{Environment.ProcessId:x}.{Interlocked.Increment(ref _sent):x}";
                await using var transaction = parts.Count > 1 ? await connection.BeginTransactionAsync(cancellationToken) : null;
                for (var i = 0; i < parts.Count; i++)
                {
                    await using var notify = new NpgsqlCommand("SELECT pg_notify($1, $2);", connection, transaction);
                    notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channel });
                    notify.Parameters.Add(new NpgsqlParameter<string> { TypedValue = $"{id}|{i}|{parts.Count}|{parts[i]}" });
                    await notify.ExecuteNonQueryAsync(cancellationToken);
                }
                if (transaction is not null)
                    await transaction.CommitAsync(cancellationToken);
            }
            catch
            {
                _sender = null;
                await connection.DisposeAsync();
                throw;
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Parts of at most <see cref="PartChars"/> characters, never splitting a surrogate pair.</summary>
    internal static List<string> Split(string message)
    {
        var parts = new List<string>(1 + message.Length / PartChars);
        for (var start = 0; start < message.Length;)
        {
            var length = Math.Min(PartChars, message.Length - start);
            if (start + length < message.Length && char.IsHighSurrogate(message[start + length - 1]))
                length--;
            parts.Add(message.Substring(start, length));
            start += length;
        }
        if (parts.Count == 0)
            parts.Add("");
        return parts;
    }

    /// <summary>The whole message once its last part arrived; null while parts are missing or for a malformed payload.</summary>
    private string? Assemble(string payload)
    {
        var fields = payload.Split('|', 4);
        if (fields.Length != 4 || !int.TryParse(fields[1], out var index) || !int.TryParse(fields[2], out var count) || count < 1 || index >= count)
            return null;
        if (count == 1)
            return fields[3];
        if (_partial.Count > 10_000)
            _partial.Clear();
        var parts = _partial.GetOrAdd(fields[0], _ => new string?[count]);
        if (parts.Length != count)
            return null;
        parts[index] = fields[3];
        if (parts.Any(p => p is null))
            return null;
        _partial.TryRemove(fields[0], out _);
        return string.Concat(parts);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sender is not null)
            await _sender.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
