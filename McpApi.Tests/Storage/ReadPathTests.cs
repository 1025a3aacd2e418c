using System.Text.Json;
using McpApi.Envelopes;
using McpApi.Models.State;
using McpApi.Storage.Sqlite;
using McpApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace McpApi.Tests.Storage;

/// <summary>
/// What a read costs beyond its query, on a real SQLite file: the stored state value is handed on and written into
/// the answer as the text it was stored as (never parsed and serialized again), and the reader's prepared commands
/// keep their parameter objects from call to call. Checked by what is written and allocated, not by timing.
/// </summary>
public sealed class ReadPathTests : IAsyncLifetime
{
    private SqliteTestDatabase _test = null!;

    private SqliteDatabase Database => _test.Database;

    public async Task InitializeAsync() => _test = await SqliteTestDatabase.CreateAsync("read.db");

    async Task IAsyncLifetime.DisposeAsync() => await _test.DisposeAsync();

    [Fact]
    public async Task AStateReadWritesTheStoredTextIntoTheAnswerWithoutParsingIt()
    {
        var store = new SqliteStateStore(Database, TimeProvider.System);
        await store.SetAsync("ns", "k", """{"a":1}""", null, null, CancellationToken.None);
        // Text a parse and a new serialization would not give back as it is: spaces and an escape kept as written.
        const string stored = """{ "a" : [1,  2], "b": "\u0041" }""";
        await using (var connection = _test.OpenConnection())
        {
            await using var update = connection.CreateCommand();
            update.CommandText = "UPDATE state_entries SET value = $v WHERE namespace = 'ns' AND state_key = 'k';";
            update.Parameters.AddWithValue("$v", stored);
            (await update.ExecuteNonQueryAsync()).ShouldBe(1);
        }

        var entry = (await store.GetAsync("ns", "k", CancellationToken.None)).ShouldNotBeNull();
        var answer = JsonSerializer.Serialize(new EnvelopeResponse(EnvelopeResponse.Success, "ok", StateModel.StateValue.From(entry)), EnvelopeJson.Options);

        answer.ShouldContain($"\"value\":{stored},", Case.Sensitive);
    }

    [Fact]
    public async Task AStateReadAllocatesLittleMoreThanTheValueItself()
    {
        var store = new SqliteStateStore(Database, TimeProvider.System);
        var value = JsonSerializer.Serialize(Enumerable.Range(0, 2000).Select(i => new { n = i, s = "abcdefgh" }));
        await store.SetAsync("ns", "big", value, null, null, CancellationToken.None);
        for (var i = 0; i < 3; i++)
            (await store.GetAsync("ns", "big", CancellationToken.None)).ShouldNotBeNull();

        // A read on a ready database runs synchronously on this thread, so this thread's allocations are the read's.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = store.GetAsync("ns", "big", CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        read.IsCompletedSuccessfully.ShouldBeTrue();
        // The stored bytes once, plus a few small objects. Reading it as a string (UTF-16, twice its size) and parsing
        // it into a document that is then cloned cost more than three times the value.
        allocated.ShouldBeLessThan(value.Length + 4096L, $"a read of a {value.Length}-byte value allocated {allocated} bytes");
    }

    [Fact]
    public async Task AReaderSessionPreparesEachStatementOnceAndKeepsItsParameters()
    {
        const string sql = "SELECT $a + $b;";
        (SqliteCommand Command, SqliteParameter First, long Sum, int Prepared) Run(SqliteSession session, long a) =>
            session.Command(sql).With("$a", a).With("$b", 1L) is var command
                ? (command, command.Parameters[0], (long)command.ExecuteScalar()!, session.PreparedCommands)
                : default;

        // One caller at a time: sequential reads on this thread rent the same pooled session.
        var first = await Database.ReadAsync(s => Run(s, 1), CancellationToken.None);
        var second = await Database.ReadAsync(s => Run(s, 41), CancellationToken.None);

        (first.Sum, second.Sum).ShouldBe((2L, 42L));
        second.Command.ShouldBeSameAs(first.Command);
        second.First.ShouldBeSameAs(first.First);
        second.Command.Parameters.Count.ShouldBe(2);
        second.Prepared.ShouldBe(first.Prepared);
    }

    [Fact]
    public async Task AParameterNotBoundAgainFailsTheStatementRatherThanReusingTheLastValue()
    {
        const string sql = "SELECT $a;";
        (await Database.ReadAsync(s => (long)s.Command(sql).With("$a", 7L).ExecuteScalar()!, CancellationToken.None)).ShouldBe(7L);

        await Should.ThrowAsync<InvalidOperationException>(() => Database.ReadAsync(s => s.Command(sql).ExecuteScalar(), CancellationToken.None));
    }
}
