// The disk's limit for durable writes: the INSERT that chat send runs, on a file with McpApi's pragmas
// (journal_mode=WAL, synchronous=FULL, busy_timeout, foreign_keys) and table, committed every <batch> rows.
// Usage: DiskLimit <database file> <seconds> <batch>
// Prints: RESULT rps=<rows/s> p50_ms=<commit p50> p99_ms=<commit p99> requests=<rows> errors=0
// (p50/p99 are per commit: the time a row waits from BEGIN to its batch's COMMIT returning.)
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

if (args.Length != 3 || !int.TryParse(args[1], out var seconds) || !int.TryParse(args[2], out var batch) || seconds < 1 || batch < 1)
{
    Console.Error.WriteLine("usage: DiskLimit <database file> <seconds >= 1> <rows per commit >= 1>");
    return 2;
}

using var connection = new SqliteConnection($"Data Source={args[0]};Pooling=False");
connection.Open();
Execute(connection, "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
Execute(connection, """
    CREATE TABLE IF NOT EXISTS chat_messages (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        room      TEXT    NOT NULL,
        user_name TEXT    NOT NULL,
        text      TEXT    NOT NULL,
        sent_at   INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS ix_chat_messages_room ON chat_messages (room, id);
    """);

using var insert = connection.CreateCommand();
insert.CommandText = "INSERT INTO chat_messages (room, user_name, text, sent_at) VALUES ($room, $user, $text, $now) RETURNING id, room, user_name, text, sent_at;";
var room = insert.Parameters.Add("$room", SqliteType.Text);
var user = insert.Parameters.Add("$user", SqliteType.Text);
var text = insert.Parameters.Add("$text", SqliteType.Text);
var now = insert.Parameters.Add("$now", SqliteType.Integer);
insert.Prepare();

// Warm-up as the server's file is warm: a fresh WAL grows with every commit (a costlier fsync than rewriting it), so
// write for 2 s, checkpoint, and measure while the WAL is being reused from its start, as it is in a running server.
Run(TimeSpan.FromSeconds(2), []);
Execute(connection, "PRAGMA wal_checkpoint(PASSIVE);");
var commits = new List<double>();
var (rows, elapsed) = Run(TimeSpan.FromSeconds(seconds), commits);
commits.Sort();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"RESULT rps={rows / elapsed:F0} p50_ms={Percentile(commits, 0.50):F3} p99_ms={Percentile(commits, 0.99):F3} requests={rows} errors=0"));
return 0;

(long Rows, double Seconds) Run(TimeSpan duration, List<double> commits)
{
    long rows = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed < duration)
    {
        var started = clock.Elapsed;
        using (var transaction = connection.BeginTransaction(deferred: false))
        {
            insert.Transaction = transaction;
            for (var i = 0; i < batch; i++)
            {
                room.Value = "bench";
                user.Value = "u";
                text.Value = $"message {rows + i}";
                now.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                using var reader = insert.ExecuteReader();
                reader.Read();
            }
            transaction.Commit();
        }
        rows += batch;
        commits.Add((clock.Elapsed - started).TotalMilliseconds);
    }
    return (rows, clock.Elapsed.TotalSeconds);
}

static void Execute(SqliteConnection connection, string sql)
{
    using var command = connection.CreateCommand();
    command.CommandText = sql;
    command.ExecuteNonQuery();
}

static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
