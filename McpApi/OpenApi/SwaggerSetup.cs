using McpApi.Auth;
using McpApi.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace McpApi.OpenApi;

/// <summary>Swagger document and UI, on by default (<c>McpApi:EnableSwagger=false</c> turns them off).</summary>
public static class SwaggerSetup
{
    private const string BearerScheme = "bearer";

    public static IServiceCollection AddMcpApiSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "McpApi",
                Version = "v1",
                Description = """
                    A message server for structured envelopes. POST `{"model","action","context","data"}` to `/mcp`
                    and get `{"status","message","data"}` back. `GET /mcp/models` lists every model, action, schema and example.

                    The same URL also speaks the Model Context Protocol (JSON-RPC 2.0, Streamable HTTP) for MCP clients such as
                    Claude Desktop, VS Code and the MCP SDKs. A POST goes to MCP when it has an `Mcp-Session-Id` header, or its
                    `Accept` header lists `text/event-stream`, or its body is a JSON object with `"jsonrpc"`; every other POST is an
                    envelope. `GET /mcp` with an `Mcp-Session-Id` header or `Accept: text/event-stream`, and `DELETE /mcp`, are MCP's;
                    a plain `GET /mcp` (a browser, curl) answers a short guide. Every model action is an MCP tool named `model_action`
                    (`chat_send`, `state_set`, ...). Those endpoints are not listed below: see the README's MCP section, e.g.
                    `curl -H 'Accept: application/json, text/event-stream' -H 'Content-Type: application/json'
                    -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}' http://localhost:5000/mcp`.
                    """,
            });
            options.OperationFilter<EnvelopeExamplesFilter>();
            JsonSchemaTypes.Map(options);
            options.SupportNonNullableReferenceTypes();
        });
        // With authentication on, Swagger UI gets an "Authorize" button: the key (or token) it is given goes with every
        // "Try it out" request as Authorization: Bearer.
        services.AddOptions<SwaggerGenOptions>().Configure<IOptions<AuthOptions>>((options, auth) =>
        {
            if (!auth.Value.Required)
                return;
            options.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key (Auth:Mode=ApiKey) or a JWT (Auth:Mode=Jwt), sent as Authorization: Bearer <credential>. "
                    + "X-Api-Key: <key> works too. The examples below are those of the caller who fetched this document.",
            });
            options.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [],
            });
        });
        return services;
    }

    public static IApplicationBuilder UseMcpApiSwagger(this IApplicationBuilder app)
    {
        if (!app.ApplicationServices.GetRequiredService<IOptions<McpApiOptions>>().Value.EnableSwagger)
            return app;
        // Branch on the path so envelope requests skip Swagger's per-request path matching.
        // The document's envelope examples are the caller's (EnvelopeExamplesFilter reads the request).
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/swagger"), swagger => swagger
            .UseCurrentRequest()
            .UseSwagger()
            .UseSwaggerUI(ui =>
            {
                ui.SwaggerEndpoint("/swagger/v1/swagger.json", "McpApi v1");
                ui.DocumentTitle = "McpApi";
                ui.EnableTryItOutByDefault();
                ui.DisplayRequestDuration();
            }));
        return app;
    }
}
