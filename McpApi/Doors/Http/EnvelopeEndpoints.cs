using McpApi.Auth;
using McpApi.Dispatching;
using McpApi.Envelopes;
using McpApi.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Http;

/// <summary>The JSON envelope over HTTP: <c>POST /mcp</c>, <c>GET /mcp/models</c> and the guide a plain <c>GET /mcp</c> answers.</summary>
public static class EnvelopeEndpoints
{
    public static RouteGroupBuilder MapEnvelopeApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/mcp").WithTags("Envelope");
        // The envelope's services are singletons, taken once here: a handler parameter would resolve them from the
        // request's services, which creates a DI scope (and disposes it) for every envelope.
        var dispatcher = routes.ServiceProvider.GetRequiredService<Dispatcher>();
        var maxRequestBytes = routes.ServiceProvider.GetRequiredService<IOptions<McpApiOptions>>().Value.MaxRequestBytes;
        var authentication = routes.ServiceProvider.GetRequiredService<CallerAuthentication>();

        group.MapPost("/", (HttpContext http) => PostEnvelope(http, dispatcher, maxRequestBytes, authentication))
            .WithName("PostEnvelope")
            .WithSummary("Send one envelope to a model")
            .WithDescription("""
                Send `{"model": ..., "action"?: ..., "context"?: ..., "data"?: ...}`. `model` picks the handler (absent: `echo`),
                `action` one of its operations (absent: the model's default), `context` says who or where (a string or an object),
                `data` is the payload, checked against the action's JSON Schema (see `GET /mcp/models`).
                Every answer is `{"status": "success" | "error", "message": ..., "data": ...}`.
                """)
            .WithMetadata(new EnvelopeEndpointMetadata())
            // Envelopes are measured once, by mcpapi.handler.duration (door http, model, action, status): ASP.NET Core's
            // http.server.request.duration would record each a second time (an OpenTelemetry update per request).
            .DisableHttpMetrics()
            // No .Accepts<EnvelopeRequest>(): its content-type matcher policy would cost routing every request, and the
            // endpoint answers a wrong Content-Type itself (415 envelope). EnvelopeExamplesFilter describes the body.
            .Produces<EnvelopeResponse>(StatusCodes.Status200OK)
            .Produces<EnvelopeResponse>(StatusCodes.Status400BadRequest)
            .Produces<EnvelopeResponse>(StatusCodes.Status401Unauthorized)
            .Produces<EnvelopeResponse>(StatusCodes.Status403Forbidden)
            .Produces<EnvelopeResponse>(StatusCodes.Status404NotFound)
            .Produces<EnvelopeResponse>(StatusCodes.Status409Conflict)
            .Produces<EnvelopeResponse>(StatusCodes.Status413PayloadTooLarge)
            .Produces<EnvelopeResponse>(StatusCodes.Status415UnsupportedMediaType)
            .Produces<EnvelopeResponse>(StatusCodes.Status422UnprocessableEntity)
            .Produces<EnvelopeResponse>(StatusCodes.Status429TooManyRequests)
            .Produces<EnvelopeResponse>(StatusCodes.Status500InternalServerError)
            .Produces<EnvelopeResponse>(StatusCodes.Status503ServiceUnavailable);

        group.MapGet("/", EndpointGuide.Describe)
            .WithName("DescribeEnvelopeEndpoint")
            .WithSummary("What /mcp is and how to use it (a browser's or plain curl's GET)")
            .WithDescription("""
                A GET without an MCP session answers a short guide: how to POST an envelope, where `GET /mcp/models` and
                Swagger are. An HTML page for browsers, a success envelope otherwise. MCP clients' GETs (`Accept: text/event-stream`
                or an `Mcp-Session-Id` header) open the server's MCP stream instead.
                """)
            .WithMetadata(new EnvelopeEndpointMetadata())
            .Produces<EnvelopeResponse>(StatusCodes.Status200OK)
            .Produces(StatusCodes.Status200OK, contentType: "text/html");

        group.MapGet("/models", ListModels)
            .WithName("ListModels")
            .WithSummary("List the models, their actions, data schemas and examples");

        return group;
    }

    /// <summary>
    /// Reads one body and hands it to the dispatcher. A body the door cannot take (wrong Content-Type, too large) throws
    /// its <see cref="RequestError"/> to the HTTP pipeline's one error handler.
    /// </summary>
    internal static async ValueTask<EnvelopeResult> PostEnvelope(
        HttpContext http, Dispatcher dispatcher, long maxRequestBytes, CallerAuthentication authentication)
    {
        HttpBodyReader.EnsureJson(http.Request);
        var body = await HttpBodyReader.ReadAsync(http.Request, maxRequestBytes, http.RequestAborted);
        var caller = await authentication.CallerAsync(http, "http");
        var names = new EnvelopeNames(dispatcher.Registry);
        http.Features.Set(names);
        var answer = Write(await dispatcher.DispatchAsync(body, caller, http.RequestAborted, parsed: names)); // disposed as it is written
        if (answer.StatusCode == StatusCodes.Status401Unauthorized && authentication.Required)
            await CallerAuthentication.ChallengeAsync(http); // the configured scheme's WWW-Authenticate (none is registered without authentication)
        return answer;
    }

    /// <summary>The models and actions the caller may call (all of them without authentication); 401 when a credential is required and missing.</summary>
    internal static async Task<Results<Ok<ModelCatalog>, EnvelopeResult>> ListModels(HttpContext http, Dispatcher dispatcher, CallerAuthentication authentication)
    {
        if (!authentication.Required)
            return TypedResults.Ok(ModelCatalog.From(dispatcher.Registry));
        var caller = await authentication.CallerAsync(http, "http");
        if (caller.Identity is not { } identity)
        {
            await CallerAuthentication.ChallengeAsync(http);
            return Write(Dispatcher.Failure(Access.Unauthenticated(caller), caller.TraceId));
        }
        return TypedResults.Ok(ModelCatalog.From(dispatcher.Registry, action => Access.MayCall(identity, action)));
    }

    internal static EnvelopeResult Write(DispatchResult result) => new(result);
}

/// <summary>Marks the envelope endpoint on <c>/mcp</c>, so a later endpoint-selection rule can tell it from MCP's.</summary>
public sealed class EnvelopeEndpointMetadata;
