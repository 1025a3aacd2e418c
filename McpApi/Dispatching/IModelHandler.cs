namespace McpApi.Dispatching;

/// <summary>
/// A model: one class that names itself and declares its actions. The first action is the default.
/// Register it with one line: <c>services.AddModel&lt;EchoModel&gt;()</c>.
/// </summary>
public interface IModelHandler
{
    /// <summary>The <c>model</c> value that selects this handler (lowercase, e.g. <c>chat</c>).</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>The model's operations; the first one answers envelopes without an <c>action</c>.</summary>
    IReadOnlyList<ModelAction> Actions { get; }

    /// <summary>The context scope an action works on when its context names none and its record has no default (chat: <c>Chat:DefaultRoom</c>).</summary>
    string? DefaultContextScope => null;
}
