namespace McpApi.Dispatching;

/// <summary>
/// A failure the caller can fix. Doors and models throw it; the dispatcher (and, for HTTP,
/// <c>EnvelopeExceptionHandler</c>) turns it into an error envelope with <see cref="StatusCode"/>.
/// </summary>
public sealed class RequestError(int statusCode, string code, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>Stable snake_case code clients can switch on.</summary>
    public string Code { get; } = code;

    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    public Dictionary<string, object?>? Extra { get; init; }

    public static RequestError BadRequest(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);

    public static RequestError Forbidden(string code, string message) => new(StatusCodes.Status403Forbidden, code, message);

    public static RequestError NotFound(string code, string message) => new(StatusCodes.Status404NotFound, code, message);

    public static RequestError Conflict(string code, string message, Dictionary<string, object?>? extra = null) =>
        new(StatusCodes.Status409Conflict, code, message) { Extra = extra };

    public static RequestError TooLarge(string code, string message) => new(StatusCodes.Status413PayloadTooLarge, code, message);

    /// <summary>422: the data is well-formed JSON but breaks the action's rules.</summary>
    public static RequestError Invalid(string field, string message) =>
        new(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ValidationFailed, $"The data is invalid: {field}: {message}")
        {
            Errors = new Dictionary<string, string[]> { [field] = [message] },
        };

    public static RequestError Invalid(IReadOnlyDictionary<string, string[]> errors, string message) =>
        new(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ValidationFailed, message) { Errors = errors };
}
