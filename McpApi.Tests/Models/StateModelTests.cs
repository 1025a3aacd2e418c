using System.Net;
using System.Text.Json;
using McpApi.Events;
using McpApi.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace McpApi.Tests.Models;

/// <summary>Runs on both storage providers: <see cref="StateModelTestsOnSqlite"/> and <see cref="StateModelTestsOnPostgreSql"/>.</summary>
public abstract class StateModelTests : IDisposable
{
    private readonly McpApiApplication _app;
    private readonly HttpClient _client;

    protected StateModelTests(TestStorage storage)
    {
        _app = new(storage);
        _app.Settings["State:MaxKeyLength"] = "16";
        _app.Settings["State:MaxValueBytes"] = "64";
        _client = _app.CreateClient();
    }

    public void Dispose()
    {
        _app.Dispose();
        GC.SuppressFinalize(this);
    }

    private Task<EnvelopeReply> State(string action, object? data = null, object? context = null) =>
        _client.PostEnvelopeAsync(new { model = "state", action, context, data });

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("line\nbreak")]
    public async Task KeysWithControlCharactersAreA422NamingTheKey(string key)
    {
        var reply = await _client.PostEnvelopeAsync(new { model = "state", action = "set", data = new { key, value = 1 } });

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, reply.ToString());
        reply.Data.GetProperty("errors").GetProperty("data.key")[0].GetString()!.ShouldContain("control character");
    }

    [Fact]
    public async Task SetStoresAnyJsonValueAndGetReturnsItWithItsVersion()
    {
        var created = await State("set", new { key = "profile", value = new { name = "ana", tags = new[] { "a", "b" } } });
        var updated = await State("set", new { key = "profile", value = new[] { 1, 2 } });
        var read = await State("get", new { key = "profile" });

        created.StatusCode.ShouldBe(HttpStatusCode.OK, created.ToString());
        created.Message.ShouldBe("Key 'profile' created at version 1.");
        created.Data.GetProperty("version").GetInt64().ShouldBe(1);
        created.Data.GetProperty("value").GetRawText().ShouldBe("""{"name":"ana","tags":["a","b"]}""");
        updated.Data.GetProperty("version").GetInt64().ShouldBe(2);
        read.Data.GetProperty("key").GetString().ShouldBe("profile");
        read.Data.GetProperty("value").GetRawText().ShouldBe("[1,2]");
        read.Data.GetProperty("version").GetInt64().ShouldBe(2);
        read.Data.GetProperty("updatedAt").GetString()!.ShouldEndWith("Z");
    }

    [Fact]
    public async Task NullIsAValueLikeAnyOther()
    {
        await State("set", new { key = "nothing", value = (object?)null });

        var read = await State("get", new { key = "nothing" });

        read.Data.GetProperty("value").ValueKind.ShouldBe(JsonValueKind.Null);
        read.Data.GetProperty("version").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task GettingAMissingKeyIs404StateNotFound()
    {
        var reply = await State("get", new { key = "ghost" });

        reply.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        reply.Code.ShouldBe("state_not_found");
        reply.Message.ShouldContain("'ghost'");
    }

    [Fact]
    public async Task NamespacesKeepTheirOwnKeys()
    {
        await State("set", new { key = "k", value = "a" }, "alpha");
        await State("set", new { key = "k", value = "b" }, new { @namespace = "beta" });

        (await State("get", new { key = "k" }, "alpha")).Data.GetProperty("value").GetString().ShouldBe("a");
        (await State("get", new { key = "k" }, new { @namespace = "beta" })).Data.GetProperty("value").GetString().ShouldBe("b");
        (await State("get", new { key = "k" })).Code.ShouldBe("state_not_found");
    }

    [Fact]
    public async Task AMismatchedIfVersionIs409WithTheCurrentVersionAndWritesNothing()
    {
        await State("set", new { key = "doc", value = "v1" });
        await State("set", new { key = "doc", value = "v2" });

        var stale = await State("set", new { key = "doc", value = "lost", ifVersion = 1 });
        var createOnly = await State("set", new { key = "doc", value = "lost", ifVersion = 0 });
        var absent = await State("set", new { key = "fresh", value = "lost", ifVersion = 3 });
        var read = await State("get", new { key = "doc" });

        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        stale.Code.ShouldBe("version_conflict");
        stale.Data.GetProperty("currentVersion").GetInt64().ShouldBe(2);
        stale.Message.ShouldContain("nothing was written");
        createOnly.Code.ShouldBe("version_conflict");
        createOnly.Data.GetProperty("currentVersion").GetInt64().ShouldBe(2);
        absent.Code.ShouldBe("version_conflict");
        absent.Data.GetProperty("currentVersion").GetInt64().ShouldBe(0);
        read.Data.GetProperty("value").GetString().ShouldBe("v2");
        read.Data.GetProperty("version").GetInt64().ShouldBe(2);
        (await State("get", new { key = "fresh" })).Code.ShouldBe("state_not_found");
    }

    [Fact]
    public async Task IfVersionZeroCreatesAndAMatchingIfVersionUpdates()
    {
        var created = await State("set", new { key = "cas", value = 1, ifVersion = 0 });
        var updated = await State("set", new { key = "cas", value = 2, ifVersion = 1 });

        created.Data.GetProperty("version").GetInt64().ShouldBe(1);
        updated.Data.GetProperty("version").GetInt64().ShouldBe(2);
        updated.Data.GetProperty("value").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task DeleteRemovesTheKeyHonoursIfVersionAndAMissingKeyIs404()
    {
        await State("set", new { key = "gone", value = true });
        await State("set", new { key = "gone", value = false });

        var stale = await State("delete", new { key = "gone", ifVersion = 1 });
        var deleted = await State("delete", new { key = "gone", ifVersion = 2 });
        var again = await State("delete", new { key = "gone" });
        var recreated = await State("set", new { key = "gone", value = 0, ifVersion = 0 });

        stale.Code.ShouldBe("version_conflict");
        stale.Data.GetProperty("currentVersion").GetInt64().ShouldBe(2);
        deleted.Data.GetRawText().ShouldBe("""{"key":"gone","deleted":true,"version":2}""");
        again.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        again.Code.ShouldBe("state_not_found");
        recreated.Data.GetProperty("version").GetInt64().ShouldBe(3); // versions never repeat after a delete
    }

    [Fact]
    public async Task ListReturnsKeysInOrderFilteredByPrefixAndPagedWithNextAfter()
    {
        foreach (var key in new[] { "user.c", "user.a", "team.x", "user.b" })
            await State("set", new { key, value = key });

        var page = await State("list", new { prefix = "user.", limit = 2 });
        var next = await State("list", new { prefix = "user.", limit = 2, after = page.Data.GetProperty("nextAfter").GetString() });
        var all = await State("list");

        page.Data.GetProperty("namespace").GetString().ShouldBe("default");
        Keys(page).ShouldBe(["user.a", "user.b"]);
        page.Data.GetProperty("keys")[0].GetProperty("version").GetInt64().ShouldBe(1);
        Keys(next).ShouldBe(["user.c"]);
        next.Data.GetProperty("nextAfter").ValueKind.ShouldBe(JsonValueKind.Null);
        Keys(all).ShouldBe(["team.x", "user.a", "user.b", "user.c"]);
    }

    [Fact]
    public async Task AKeyLongerThanStateMaxKeyLengthIs422()
    {
        var reply = await State("set", new { key = new string('k', 17), value = 1 });

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Data.GetProperty("errors").GetProperty("data.key")[0].GetString()!.ShouldContain("State:MaxKeyLength");
    }

    [Fact]
    public async Task AValueLargerThanStateMaxValueBytesIs413AndNotStored()
    {
        var reply = await State("set", new { key = "big", value = new string('v', 100) });

        reply.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        reply.Code.ShouldBe("value_too_large");
        reply.Message.ShouldContain("State:MaxValueBytes");
        (await State("get", new { key = "big" })).Code.ShouldBe("state_not_found");
    }

    [Theory]
    [InlineData("""{"value":1}""")]
    [InlineData("""{"key":"k"}""")]
    [InlineData("""{"key":"","value":1}""")]
    [InlineData("""{"key":"k","value":1,"ifVersion":-1}""")]
    [InlineData("""{"key":"k","value":1,"extra":true}""")]
    public async Task MalformedSetDataIs422(string data)
    {
        var reply = await _client.PostRawAsync($$"""{"model":"state","action":"set","data":{{data}}}""");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, reply.ToString());
        reply.Code.ShouldBe("validation_failed");
    }

    [Fact]
    public async Task AnInvalidNamespaceIs422OnContextNamespace()
    {
        var reply = await State("get", new { key = "k" }, "bad namespace");

        reply.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        reply.Data.GetProperty("errors").TryGetProperty("context.namespace", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task WritesAndDeletesAnnounceStateChanged()
    {
        using var events = _app.Services.GetRequiredService<IEventHub>().Subscribe(["state:watched"], 10);

        await State("set", new { key = "k", value = 1 }, "watched");
        await State("set", new { key = "k", value = 2, ifVersion = 5 }, "watched");
        await State("delete", new { key = "k" }, "watched");

        events.Reader.TryRead(out var written).ShouldBeTrue();
        written!.Type.ShouldBe("state.changed");
        JsonSerializer.Serialize(written.Data, McpApi.Envelopes.EnvelopeJson.Options).ShouldBe("""{"namespace":"watched","key":"k","version":1}""");
        events.Reader.TryRead(out var deleted).ShouldBeTrue();
        JsonSerializer.Serialize(deleted!.Data, McpApi.Envelopes.EnvelopeJson.Options).ShouldBe("""{"namespace":"watched","key":"k","version":1,"deleted":true}""");
        events.Reader.TryRead(out _).ShouldBeFalse("a conflicting write announces nothing");
    }

    [Fact]
    public async Task AKeyDeletedAndCreatedAgainNeverRepeatsAVersionSoAStaleWriterGets409()
    {
        await State("set", new { key = "doc", value = "first" });
        await State("delete", new { key = "doc" });
        var recreated = await State("set", new { key = "doc", value = "second" });

        var stale = await State("set", new { key = "doc", value = "stale", ifVersion = 1 });
        var read = await State("get", new { key = "doc" });

        recreated.Data.GetProperty("version").GetInt64().ShouldBe(2);
        recreated.Message.ShouldBe("Key 'doc' created at version 2.");
        stale.StatusCode.ShouldBe(HttpStatusCode.Conflict, stale.ToString());
        stale.Code.ShouldBe("version_conflict");
        stale.Data.GetProperty("currentVersion").GetInt64().ShouldBe(2);
        read.Data.GetProperty("value").GetString().ShouldBe("second");
    }

    [Fact]
    public async Task AfterADeleteIfVersionZeroStillCreatesAndTheOldVersionConflicts()
    {
        await State("set", new { key = "cas", value = 1, ifVersion = 0 });
        await State("set", new { key = "cas", value = 2, ifVersion = 1 });
        (await State("delete", new { key = "cas", ifVersion = 2 })).Status.ShouldBe("success");

        var oldVersion = await State("set", new { key = "cas", value = 3, ifVersion = 2 });
        var created = await State("set", new { key = "cas", value = 3, ifVersion = 0 });

        oldVersion.Code.ShouldBe("version_conflict");
        oldVersion.Data.GetProperty("currentVersion").GetInt64().ShouldBe(0);
        created.StatusCode.ShouldBe(HttpStatusCode.OK, created.ToString());
        created.Data.GetProperty("version").GetInt64().ShouldBe(3);
        (await State("list")).Data.GetProperty("keys")[0].GetProperty("version").GetInt64().ShouldBe(3);
    }

    [Fact]
    public async Task FiftyParallelCompareAndSetIncrementsEndAtExactlyFifty()
    {
        await State("set", new { key = "counter", value = 0, ifVersion = 0 });

        await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            for (var attempt = 0; attempt < 500; attempt++)
            {
                var current = await State("get", new { key = "counter" });
                var value = current.Data.GetProperty("value").GetInt32();
                var version = current.Data.GetProperty("version").GetInt64();
                var write = await State("set", new { key = "counter", value = value + 1, ifVersion = version });
                if (write.StatusCode == HttpStatusCode.OK)
                    return attempt;
                write.Code.ShouldBe("version_conflict");
            }
            throw new TimeoutException("An increment did not get through in 500 attempts.");
        }));

        var final = await State("get", new { key = "counter" });
        final.Data.GetProperty("value").GetInt32().ShouldBe(50);
        final.Data.GetProperty("version").GetInt64().ShouldBe(51);
    }

    [Fact]
    public async Task NamespacesListsEachNamespaceThatHasKeysInOrdinalOrderWithItsCountAndLastWrite()
    {
        (await State("namespaces")).Data.GetProperty("namespaces").GetArrayLength().ShouldBe(0);
        await State("set", new { key = "a", value = 1 }, "app");
        var last = await State("set", new { key = "b", value = 2 }, "app");
        await State("set", new { key = "a", value = 1 }, "Zed");
        await State("set", new { key = "a", value = 1 }, "gone");
        await State("delete", new { key = "a" }, "gone");

        var reply = await State("namespaces");

        reply.StatusCode.ShouldBe(HttpStatusCode.OK, reply.ToString());
        reply.Message.ShouldBe("2 namespace(s) with keys.");
        var namespaces = reply.Data.GetProperty("namespaces").EnumerateArray().ToArray();
        namespaces.Select(n => n.GetProperty("namespace").GetString()).ShouldBe(["Zed", "app"]);
        namespaces.Select(n => n.GetProperty("keys").GetInt64()).ShouldBe([1L, 2L]);
        namespaces[1].GetProperty("lastUpdated").GetString().ShouldBe(last.Data.GetProperty("updatedAt").GetString());
    }

    private static string[] Keys(EnvelopeReply reply) =>
        [.. reply.Data.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("key").GetString()!)];
}

public sealed class StateModelTestsOnSqlite() : StateModelTests(TestStorage.Sqlite);

public sealed class StateModelTestsOnPostgreSql() : StateModelTests(TestStorage.PostgreSql);
