// Where a read's time goes, step by step, on a notes table of 20 000 rows (the profile behind the read-path changes;
// see bench/README.md). Each line: microseconds per call, the best of 5 rounds of 10 000 calls after 2 000 warm-up calls.
// Usage: dotnet run -c Release --project bench/storage/ReadCost
using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;

var path = Path.Combine(Path.GetTempPath(), $"readcost-{Environment.ProcessId}.db");
File.Delete(path);
var cs = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 5 }.ToString();
const string pragmas = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
const string latest = "SELECT id AS Id, notebook AS Notebook, text AS Text, created_at AS CreatedAt FROM notes WHERE notebook = @notebook ORDER BY id DESC LIMIT 1;";
using (var setup = new SqliteConnection(cs))
{
    setup.Open();
    setup.Execute("PRAGMA journal_mode=WAL; CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, notebook TEXT NOT NULL, text TEXT NOT NULL, created_at INTEGER NOT NULL); CREATE INDEX ix_notes_notebook ON notes (notebook, id);");
    using var tx = setup.BeginTransaction();
    for (var i = 0; i < 20000; i++) setup.Execute("INSERT INTO notes (notebook, text, created_at) VALUES ('bench', @t, 0)", new { t = $"note {i}" }, tx);
    tx.Commit();
}
// The best of 5 rounds of 10 000 calls: on a shared machine the best round is the one least disturbed by others.
const int N = 10000;
async Task Time(string name, Func<Task> body)
{
    for (var i = 0; i < 2000; i++) await body();
    var best = double.MaxValue;
    for (var round = 0; round < 5; round++)
    {
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < N; i++) await body();
        best = Math.Min(best, sw.Elapsed.TotalMicroseconds / N);
    }
    Console.WriteLine($"{name,-58} {best,8:F2} us");
}
await Time("open pooled connection + close", async () => { await using var c = new SqliteConnection(cs); await c.OpenAsync(); });
await Time("open + per-connection pragmas + close", async () =>
{
    await using var c = new SqliteConnection(cs); await c.OpenAsync();
    await using var cmd = c.CreateCommand(); cmd.CommandText = pragmas; await cmd.ExecuteNonQueryAsync();
});
await Time("today's read: open + pragmas + Dapper latest + close", async () =>
{
    await using var c = new SqliteConnection(cs); await c.OpenAsync();
    await using (var cmd = c.CreateCommand()) { cmd.CommandText = pragmas; await cmd.ExecuteNonQueryAsync(); }
    await c.QuerySingleOrDefaultAsync<Row>(latest, new { notebook = "bench" });
});
var open = new SqliteConnection(cs); open.Open();
await Time("Dapper latest on an open connection", async () => await open.QuerySingleOrDefaultAsync<Row>(latest, new { notebook = "bench" }));
await Time("Dapper latest on an open connection (sync)", () => { open.QuerySingleOrDefault<Row>(latest, new { notebook = "bench" }); return Task.CompletedTask; });
var prepared = open.CreateCommand(); prepared.CommandText = latest.Replace("@notebook", "$notebook"); var p = prepared.Parameters.Add("$notebook", SqliteType.Text); prepared.Prepare();
await Time("cached prepared command, manual mapping (sync)", () =>
{
    p.Value = "bench";
    using var r = prepared.ExecuteReader();
    if (r.Read()) _ = new Row(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3));
    return Task.CompletedTask;
});
const string history = "SELECT id AS Id, notebook AS Notebook, text AS Text, created_at AS CreatedAt FROM notes WHERE notebook = @notebook AND id < @before ORDER BY id DESC LIMIT 50;";
await Time("history 50: Dapper DESC + Reverse + Select copy (open conn)", async () =>
{
    var rows = (await open.QueryAsync<Row>(history, new { notebook = "bench", before = long.MaxValue })).Reverse();
    _ = rows.Select(r => r with { }).ToList();
});
const string historyAsc = "SELECT * FROM (SELECT id AS Id, notebook AS Notebook, text AS Text, created_at AS CreatedAt FROM notes WHERE notebook = $notebook AND id < $before ORDER BY id DESC LIMIT 50) ORDER BY Id;";
var ph = open.CreateCommand(); ph.CommandText = historyAsc; var p1 = ph.Parameters.Add("$notebook", SqliteType.Text); var p2 = ph.Parameters.Add("$before", SqliteType.Integer); ph.Prepare();
await Time("history 50: cached prepared, SQL orders, manual mapping", () =>
{
    p1.Value = "bench"; p2.Value = long.MaxValue;
    var list = new List<Row>(50);
    using var r = ph.ExecuteReader();
    while (r.Read()) list.Add(new Row(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3)));
    return Task.CompletedTask;
});
prepared.Dispose();
ph.Dispose();
open.Dispose();
SqliteConnection.ClearAllPools();
foreach (var file in new[] { path, path + "-wal", path + "-shm" })
    File.Delete(file);

sealed record Row(long Id, string Notebook, string Text, long CreatedAt);
