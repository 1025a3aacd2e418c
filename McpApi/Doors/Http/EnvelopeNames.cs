using McpApi.Dispatching;
using McpApi.Envelopes;

namespace McpApi.Doors.Http;

/// <summary>
/// The model and action an HTTP envelope reached, as a request feature the request log reads once the answer is sent
/// (also when the handler threw). Null until the envelope was parsed; the action is the model's default when the
/// envelope names none.
/// </summary>
public sealed class EnvelopeNames(ModelRegistry? registry = null) : IEnvelopeObserver
{
    public string? Model { get; set; }

    public string? Action { get; set; }

    void IEnvelopeObserver.Parsed(Envelope envelope)
    {
        Model = envelope.Model;
        Action = envelope.Action ?? DefaultActionOf(envelope.Model);
    }

    /// <summary>The action an envelope without one runs, or null when the model is unknown.</summary>
    private string? DefaultActionOf(string model) =>
        registry is not null && registry.TryGet(model, out var found) && found.TryGetActionOrDefault(null, out var action) ? action.Name : null;
}
