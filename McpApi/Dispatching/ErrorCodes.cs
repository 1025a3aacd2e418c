namespace McpApi.Dispatching;

/// <summary>The stable <c>data.code</c> values of error envelopes shared by every door.</summary>
public static class ErrorCodes
{
    public const string MalformedJson = "malformed_json";
    public const string DuplicateProperty = "duplicate_property";
    public const string NestingTooDeep = "nesting_too_deep";
    public const string EmptyBody = "empty_body";
    public const string EnvelopeNotObject = "envelope_not_object";
    public const string InvalidEnvelope = "invalid_envelope";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnknownModel = "unknown_model";
    public const string UnknownAction = "unknown_action";
    public const string ValidationFailed = "validation_failed";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string InternalError = "internal_error";
    public const string RateLimited = "rate_limited";
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string StorageUnavailable = "storage_unavailable";
}
