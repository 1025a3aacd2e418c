using McpApi.Auth;
using McpApi.BrowserAccess;
using McpApi.Dispatching;
using McpApi.Doors.Http;
using McpApi.Doors.Limits;
using McpApi.Doors.Mcp;
using McpApi.Doors.Realtime;
using McpApi.Events.Backplane;
using McpApi.Health;
using McpApi.Limits;
using McpApi.Logging;
using McpApi.Metrics;
using McpApi.Models;
using McpApi.Models.Chat;
using McpApi.Models.Echo;
using McpApi.Models.Move;
using McpApi.Models.Notes;
using McpApi.Models.State;
using McpApi.OpenApi;
using McpApi.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpApi.Hosting;

/// <summary>Wires McpApi into a host: <c>builder.AddMcpApi()</c>, <c>app.UseMcpApi()</c>, <c>app.MapMcpApi()</c>.</summary>
public static class McpApiSetup
{
    public static WebApplicationBuilder AddMcpApi(this WebApplicationBuilder builder)
    {
        builder.AddMcpApiLogging();
        builder.AddMcpApiTelemetry();
        builder.AddMcpApiAuth();

        var services = builder.Services;
        services.AddOptions<McpApiOptions>().BindConfiguration(McpApiOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpApiOptions>, McpApiOptionsValidator>());

        services.AddEventHub(builder.Configuration);
        services.AddStorage(builder.Configuration);
        services.AddModelOptions();
        services.AddModels();
        services.AddSingleton<ModelRegistry>();
        services.AddHostedService<ModelRegistryStartup>();
        services.AddSingleton<Dispatcher>();

        services.AddExceptionHandler<EnvelopeExceptionHandler>();
        services.AddProblemDetails();
        services.AddMcpApiHealthChecks();
        services.AddMcpApiSwagger();
        builder.AddConnectionLimits();
        builder.AddCallerRateLimits();
        builder.AddBrowserAccess();
        builder.AddSharedDataProtection();
        builder.AddMcpDoor();
        builder.AddRealtimeDoors();
        return builder;
    }

    /// <summary>The models McpApi serves: one line each.</summary>
    public static IServiceCollection AddModels(this IServiceCollection services)
    {
        services.AddModel<EchoModel>();
        services.AddModel<NotesModel>();
        services.AddModel<ChatModel>();
        services.AddModel<StateModel>();
        services.AddModel<MoveModel>();
        return services;
    }

    public static IServiceCollection AddModel<TModel>(this IServiceCollection services)
        where TModel : class, IModelHandler
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelHandler, TModel>());
        return services;
    }

    public static WebApplication UseMcpApi(this WebApplication app)
    {
        app.UseSecurityHeaders();
        app.UseTraceIdentifiers();
        app.UseExceptionHandler();
        app.Use(StatusCodeEnvelopes.Middleware);
        app.UseConnectionLimits();
        app.UseMcpApiRequestLogging();
        app.UseMcpDoorSecurity();
        app.UseBrowserCors();
        app.UseMcpApiAuth();
        app.UseCallerRateLimits();
        // Swagger, the web console and WebSocket upgrades answer only GET, HEAD or CONNECT: one test sends every other
        // request (each envelope and MCP POST) past all three.
        app.UseWhen(IsReadOrUpgrade, reads => reads.UseMcpApiSwagger().UseWebConsole().UseRealtimeDoors());
        return app;
    }

    private static bool IsReadOrUpgrade(HttpContext http)
    {
        var method = http.Request.Method;
        return HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsConnect(method);
    }

    public static WebApplication MapMcpApi(this WebApplication app)
    {
        app.MapEnvelopeApi();
        app.MapMcpDoor();
        app.MapHealthEndpoints();
        app.MapMetricsEndpoint();
        app.MapRealtimeDoors();
        return app;
    }
}
