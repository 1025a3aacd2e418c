using McpApi.Doors.Sse;
using McpApi.Doors.Tcp;
using McpApi.Doors.WebSockets;
using McpApi.Models.Chat;
using McpApi.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpApi.Doors.Realtime;

/// <summary>The real-time doors: WebSocket <c>/mcp/ws</c>, server-sent events <c>/mcp/events</c> and raw TCP.</summary>
public static class RealtimeSetup
{
    public static WebApplicationBuilder AddRealtimeDoors(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RealtimeOptions>, RealtimeOptionsValidator>());
        services.TryAddSingleton<EventReplay>();
        // Chat keeps history: an SSE client reconnecting with Last-Event-ID catches up through chat's history action.
        services.AddTopicHistory(TopicHistory.For<ChatModel.ChatHistory, ChatMessage>(
            "chat", "history", contextKey: "room", eventType: "chat.message", history => history.Messages, message => message.Id, message => message.SentAt));
        builder.AddTcpDoor();
        return builder;
    }

    public static IServiceCollection AddTopicHistory(this IServiceCollection services, TopicHistory history)
    {
        services.AddSingleton(history);
        return services;
    }

    public static IApplicationBuilder UseRealtimeDoors(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<RealtimeOptions>>().Value;
        // A WebSocket opens with GET (HTTP/1.1) or CONNECT (HTTP/2): other requests (every MCP call and envelope POST)
        // skip the upgrade middleware, which otherwise sets a handshake feature on each of them.
        app.UseWhen(http => HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsConnect(http.Request.Method), upgrades =>
        {
            FrameBatchUpgrade.UseFrameBatches(upgrades, WebSocketEndpoints.Path);
            upgrades.UseWebSockets(new WebSocketOptions
            {
                KeepAliveInterval = options.KeepAlive,
                KeepAliveTimeout = options.KeepAlive * 2,
            });
        });
        return app;
    }

    public static WebApplication MapRealtimeDoors(this WebApplication app)
    {
        app.MapWebSocketDoor();
        app.MapSseDoor();
        app.AnnounceTcpDoor();
        return app;
    }
}
