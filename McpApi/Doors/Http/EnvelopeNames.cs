namespace McpApi.Doors.Http;

/// <summary>
/// The model and action an HTTP envelope reached, as a request feature the request log reads once the answer is sent
/// (also when the handler threw). Null until the envelope was parsed.
/// </summary>
public sealed class EnvelopeNames
{
    public string? Model { get; set; }

    public string? Action { get; set; }
}
