using McpApi.Models.Chat;
using McpApi.Models.Notes;
using McpApi.Models.State;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace McpApi.Models;

public static class ModelOptionsSetup
{
    /// <summary>Binds and validates (at start-up) the <c>Notes</c>, <c>Chat</c> and <c>State</c> sections.</summary>
    public static IServiceCollection AddModelOptions(this IServiceCollection services)
    {
        services.AddValidatedOptions<NotesOptions, NotesOptionsValidator>(NotesOptions.Section);
        services.AddValidatedOptions<ChatOptions, ChatOptionsValidator>(ChatOptions.Section);
        services.AddValidatedOptions<StateOptions, StateOptionsValidator>(StateOptions.Section);
        return services;
    }

    private static void AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }
}
