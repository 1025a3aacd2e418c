using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.ProcessTests;

/// <summary>
/// deploy/compose.yaml, checked without Docker (none runs in CI): parsed with python3-yaml (Debian, installed by
/// scripts/setup.d/50-cluster.sh), its replicas' settings given to a real server process on the test PostgreSQL and
/// Redis, and its nginx rendered from the template local-cluster.sh uses and accepted by <c>nginx -t</c>.
/// </summary>
public sealed partial class ComposeFileTests
{
    private static readonly string[] Replicas = ["mcpapi1", "mcpapi2", "mcpapi3"];

    [Fact]
    public async Task TheComposeFileRunsThreeReplicasBehindNginxOnPostgreSqlAndRedisEachWithAHealthCheck()
    {
        var services = (await ComposeAsync()).GetProperty("services");

        services.EnumerateObject().Select(s => s.Name).Order().ShouldBe(["mcpapi1", "mcpapi2", "mcpapi3", "nginx", "postgres", "redis"]);
        foreach (var service in services.EnumerateObject())
            service.Value.GetProperty("healthcheck").GetProperty("test").GetArrayLength().ShouldBeGreaterThan(1, $"{service.Name} has a health check");
        foreach (var replica in Replicas)
        {
            var depends = services.GetProperty(replica).GetProperty("depends_on");
            depends.GetProperty("postgres").GetProperty("condition").GetString().ShouldBe("service_healthy");
            depends.GetProperty("redis").GetProperty("condition").GetString().ShouldBe("service_healthy");
            services.GetProperty(replica).GetProperty("healthcheck").GetProperty("test").ToString().ShouldContain("/health/ready");
            services.GetProperty("nginx").GetProperty("depends_on").GetProperty(replica).GetProperty("condition").GetString().ShouldBe("service_healthy");
        }
        services.GetProperty("postgres").GetProperty("volumes")[0].GetString().ShouldBe("pgdata:/var/lib/postgresql/data");
        services.GetProperty("nginx").GetProperty("ports").EnumerateArray().Select(p => p.GetString()).ShouldBe(["127.0.0.1:8080:8080", "127.0.0.1:5050:5050"]);
        (await ComposeAsync()).GetProperty("volumes").EnumerateObject().Select(v => v.Name).ShouldBe(["pgdata", "redisdata"]);
    }

    [Fact]
    public async Task EverySettingTheReplicasGetIsOneMcpApiReads()
    {
        var environment = ReplicaEnvironment(await ComposeAsync());
        environment.Keys.ShouldContain("Storage__Provider");
        environment.Keys.ShouldContain("Events__Backplane");
        var sections = typeof(Program).Assembly.GetTypes()
            .Select(t => (Type: t, Field: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
            .Where(t => t.Field is { IsLiteral: true } && t.Field.FieldType == typeof(string))
            .Select(t => (Section: (string)t.Field!.GetRawConstantValue()!, t.Type)).ToList();

        foreach (var key in environment.Keys)
        {
            var path = key.Replace("__", ":", StringComparison.Ordinal);
            var known = path.StartsWith("ConnectionStrings:", StringComparison.Ordinal)
                ? path is "ConnectionStrings:McpApi" or "ConnectionStrings:Redis"
                : sections.Any(s => path.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase)
                    && s.Type.GetProperty(path[(s.Section.Length + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is not null);
            known.ShouldBeTrue($"{key} in deploy/compose.yaml is no setting McpApi reads (a typo would be ignored silently)");
        }
    }

    [Fact]
    public async Task TheReplicasLeaveThePerClientCapsToNginxAsTheLocalClusterDoes()
    {
        var environment = ReplicaEnvironment(await ComposeAsync());
        var script = await File.ReadAllTextAsync(Path.Combine(ExternalProcess.RepoRoot, "deploy", "local-cluster.sh"));
        foreach (var (setting, key) in new[] { ("McpApi:Connections:MaxPerClient", "McpApi__Connections__MaxPerClient"), ("Mcp:MaxSessionsPerClient", "Mcp__MaxSessionsPerClient") })
        {
            var local = Regex.Match(script, $"--{Regex.Escape(setting)}=(\\d+)");
            local.Success.ShouldBeTrue($"local-cluster.sh sets {setting}");
            environment[key].ShouldBe(local.Groups[1].Value, $"compose.yaml and local-cluster.sh give the replicas the same {setting}");
        }
        var template = await File.ReadAllTextAsync(Path.Combine(ExternalProcess.RepoRoot, "deploy", "nginx", "mcpapi.conf.template"));
        template.ShouldContain("limit_conn mcpapi_clients 100;");
        template.ShouldContain("limit_conn mcpapi_tcp_clients 100;");
    }

    [Fact]
    public async Task AReplicaStartedWithTheComposeSettingsStoresInPostgreSqlAndIsReady()
    {
        var environment = ReplicaEnvironment(await ComposeAsync());
        var postgres = await PostgreSqlServer.InstanceAsync();
        var database = await postgres.CreateDatabaseAsync();
        using var redis = new RedisServer();
        // The compose hosts (postgres, redis) are the test's own servers here; everything else is as written.
        environment["ConnectionStrings__McpApi"] = environment["ConnectionStrings__McpApi"]
            .Replace("${POSTGRES_PASSWORD:-mcpapi}", "mcpapi", StringComparison.Ordinal)
            .Replace("Host=postgres", $"Host=127.0.0.1;Port={postgres.Port}", StringComparison.Ordinal)
            .Replace("Database=mcpapi", $"Database={new Npgsql.NpgsqlConnectionStringBuilder(database).Database}", StringComparison.Ordinal);
        environment["ConnectionStrings__Redis"].ShouldBe("redis:6379");
        environment["ConnectionStrings__Redis"] = redis.ConnectionString;
        await using var server = await ServerProcess.StartAsync(environment: environment);

        using var client = server.CreateClient();
        (await client.GetAsync("/health/ready")).IsSuccessStatusCode.ShouldBeTrue();
        var sent = await client.PostEnvelopeAsync(new { model = "chat", context = new { user = "ana", room = "compose" }, data = "hi" });
        sent.Status.ShouldBe("success", sent.ToString());
        await using var connection = new Npgsql.NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM chat_messages WHERE room = 'compose';", connection);
        Convert.ToInt64(await count.ExecuteScalarAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task TheComposeNginxRendersTheSharedTemplateIntoAConfigNginxAccepts()
    {
        var nginx = (await ComposeAsync()).GetProperty("services").GetProperty("nginx");
        nginx.GetProperty("volumes")[0].GetString().ShouldBe("./nginx:/etc/mcpapi:ro");
        var command = string.Join(' ', nginx.GetProperty("command").EnumerateArray().Select(c => c.GetString()));
        command.ShouldContain("sh /etc/mcpapi/render.sh /etc/mcpapi/mcpapi.conf.template");
        // The Dockerfile's ports are the ones nginx sends to.
        var dockerfile = File.ReadAllText(Path.Combine(ExternalProcess.RepoRoot, "Dockerfile"));
        dockerfile.ShouldContain("ASPNETCORE_HTTP_PORTS=8080");
        dockerfile.ShouldContain("McpApi__Tcp__Port=5050");
        var servers = ServerLists().Matches(command).Select(m => m.Value).ToList();
        servers.Count.ShouldBe(2);
        foreach (var replica in Replicas)
        {
            servers[0].ShouldContain($"server {replica}:8080 ");
            servers[1].ShouldContain($"server {replica}:5050 ");
        }

        // Rendered here as in the container, the replicas' names replaced by loopback (they resolve only in Docker).
        var run = Directory.CreateTempSubdirectory("mcpapi-compose-nginx-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(run, "tmp"));
            var loadStream = File.Exists("/usr/lib/nginx/modules/ngx_stream_module.so") ? "load_module /usr/lib/nginx/modules/ngx_stream_module.so;" : "";
            var rendered = await ExternalProcess.RunAsync("sh", [Path.Combine(ExternalProcess.RepoRoot, "deploy", "nginx", "render.sh"),
                Path.Combine(ExternalProcess.RepoRoot, "deploy", "nginx", "mcpapi.conf.template"), run,
                $"127.0.0.1:{ServerProcess.FreePort()}", $"127.0.0.1:{ServerProcess.FreePort()}", loadStream, "",
                Loopback(servers[0]), Loopback(servers[1])], TimeSpan.FromSeconds(30));
            rendered.ExitCode.ShouldBe(0, rendered.ToString());
            Regex.IsMatch(rendered.Output, "@[A-Z_]+@").ShouldBeFalse("every placeholder is filled in");
            File.WriteAllText(Path.Combine(run, "nginx.conf"), rendered.Output);
            var test = await ExternalProcess.RunAsync("nginx", ["-t", "-c", Path.Combine(run, "nginx.conf"), "-p", run], TimeSpan.FromSeconds(30));
            test.ExitCode.ShouldBe(0, test.ToString());
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }

        static string Loopback(string servers) => ReplicaHost().Replace(servers, "127.0.0.1");
    }

    private static Dictionary<string, string> ReplicaEnvironment(JsonElement compose)
    {
        var services = compose.GetProperty("services");
        var environments = Replicas.Select(r => services.GetProperty(r).GetProperty("environment").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ToString())).ToList();
        environments.ShouldAllBe(e => e.OrderBy(p => p.Key).SequenceEqual(environments[0].OrderBy(p => p.Key)), "the replicas are identical");
        return environments[0];
    }

    /// <summary>deploy/compose.yaml as JSON, by python3-yaml's safe loader (anchors and aliases resolved).</summary>
    private static async Task<JsonElement> ComposeAsync()
    {
        var result = await ExternalProcess.RunAsync("python3",
            ["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", Path.Combine(ExternalProcess.RepoRoot, "deploy", "compose.yaml")],
            TimeSpan.FromSeconds(30));
        result.ExitCode.ShouldBe(0, $"python3 with python3-yaml (scripts/setup.d/50-cluster.sh) could not read deploy/compose.yaml: {result}");
        return JsonDocument.Parse(result.Output).RootElement.Clone();
    }

    [GeneratedRegex("(server mcpapi\\d:\\d+ [^;]*; ?)+")]
    private static partial Regex ServerLists();

    [GeneratedRegex("mcpapi\\d")]
    private static partial Regex ReplicaHost();
}
