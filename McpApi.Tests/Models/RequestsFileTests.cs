using System.Net;
using System.Text.RegularExpressions;
using McpApi.Tests.Infrastructure;

namespace McpApi.Tests.Models;

/// <summary>
/// requests.http stays true to the code: every envelope for the notes, chat, state and move models in it, run top to bottom,
/// answers as its title says (200, or the "Error: status code" of its title).
/// </summary>
public sealed partial class RequestsFileTests : IDisposable
{
    private readonly McpApiApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task EveryRequestInRequestsHttpAnswersAsItsTitleSays()
    {
        var client = _app.CreateClient();
        var requests = Parse(File.ReadAllText(RequestsFile())).Where(r => r.Body is not null && ModelEnvelope().IsMatch(r.Body)).ToList();
        requests.Count.ShouldBeGreaterThan(30);

        foreach (var request in requests)
        {
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
            if (request.Body is not null)
                message.Content = new StringContent(request.Body, System.Text.Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(message);
            var expected = ExpectedError().Match(request.Title);
            if (!expected.Success)
            {
                response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{request.Title}: {await response.Content.ReadAsStringAsync()}");
                continue;
            }
            var reply = await EnvelopeClient.ReadAsync(response);
            ((int)reply.StatusCode).ShouldBe(int.Parse(expected.Groups[1].Value), $"{request.Title}: {reply}");
            if (expected.Groups[2].Success)
                reply.Code.ShouldBe(expected.Groups[2].Value, request.Title);
        }
    }

    private sealed record HttpFileRequest(string Title, string Method, string Path, string? Body);

    private static List<HttpFileRequest> Parse(string text)
    {
        var requests = new List<HttpFileRequest>();
        foreach (var block in text.Split("###").Skip(1))
        {
            var lines = block.Split('\n');
            var title = lines[0].Trim();
            var requestLine = lines.Skip(1).First(l => l.StartsWith("GET ") || l.StartsWith("POST ") || l.StartsWith("OPTIONS "));
            var parts = requestLine.Trim().Split(' ');
            var body = string.Join('\n', lines.SkipWhile(l => l.Trim().Length > 0).Skip(1)).Trim();
            requests.Add(new HttpFileRequest(title, parts[0], parts[1].Replace("{{host}}", ""), body.Length > 0 ? body : null));
        }
        return requests;
    }

    private static string RequestsFile()
    {
        for (var dir = new DirectoryInfo(Environment.GetEnvironmentVariable("MCPAPI_REPO_ROOT") ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "requests.http");
            if (File.Exists(path))
                return path;
        }
        throw new FileNotFoundException("requests.http was not found above the test folder; set MCPAPI_REPO_ROOT.");
    }

    [GeneratedRegex(@"^Error: (\d{3})(?: ([a-z]+_[a-z_]+))?")]
    private static partial Regex ExpectedError();

    [GeneratedRegex(@"^\{""model"":""(notes|chat|state|move)""")]
    private static partial Regex ModelEnvelope();
}
