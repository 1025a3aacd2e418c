using McpApi.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace McpApi.OpenApi;

/// <summary>Swagger document and UI, on by default (<c>McpApi:EnableSwagger=false</c> turns them off).</summary>
public static class SwaggerSetup
{
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
                    """,
            });
            options.OperationFilter<EnvelopeExamplesFilter>();
            options.SupportNonNullableReferenceTypes();
        });
        return services;
    }

    public static WebApplication UseMcpApiSwagger(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<McpApiOptions>>().Value.EnableSwagger)
            return app;
        // Branch on the path so envelope requests skip Swagger's per-request path matching.
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/swagger"), swagger => swagger
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
