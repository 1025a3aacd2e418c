using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace McpApi.Tests.Infrastructure;

/// <summary>A response envelope as a test sees it: status code plus the parsed body.</summary>
internal sealed record EnvelopeReply(HttpStatusCode StatusCode, string ContentType, JsonElement Body)
{
    public string Status => Body.GetProperty("status").GetString()!;

    public string Message => Body.GetProperty("message").GetString()!;

    public JsonElement Data => Body.GetProperty("data");

    public string? Code => Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("code", out var code) ? code.GetString() : null;

    public override string ToString() => $"{(int)StatusCode} {Body}";
}

internal static class EnvelopeClient
{
    public static Task<EnvelopeReply> PostEnvelopeAsync(this HttpClient client, object envelope) =>
        client.PostRawAsync(JsonSerializer.Serialize(envelope));

    public static async Task<EnvelopeReply> PostRawAsync(this HttpClient client, string body, string contentType = "application/json")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync("/mcp", content);
        return await ReadAsync(response);
    }

    public static async Task<EnvelopeReply> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new ShouldAssertException($"Expected a JSON envelope but got {(int)response.StatusCode}: {text}");
        }
        return new EnvelopeReply(response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", body);
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>());
    }
}
