using McpApi.Auth;
using McpApi.Hosting;
using McpApi.Logging;
using Microsoft.Extensions.Options;
using Serilog;

if (KeysCommand.Matches(args))
{
    Environment.ExitCode = KeysCommand.Run(args, Console.Out, Console.Error);
    return;
}

Log.Logger = LoggingSetup.CreateBootstrapLogger();

IConfiguration? configuration = null;
try
{
    var builder = WebApplication.CreateBuilder(McpApiHost.CreateOptions(args));
    configuration = builder.Configuration;
    builder.AddMcpApi();

    var app = builder.Build();
    app.UseMcpApi();
    app.MapMcpApi();

    app.Run();
}
catch (OptionsValidationException ex)
{
    Log.Fatal("McpApi terminated unexpectedly: invalid settings. {Failures}", string.Join(" ", ex.Failures));
    Environment.ExitCode = 1;
}
catch (Exception ex) when (StartupFailure.Explain(ex, configuration) is { } failure)
{
    Log.Fatal("McpApi could not start. {Failure}", failure);
    Environment.ExitCode = 1;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "McpApi terminated unexpectedly");
    Environment.ExitCode = 1;
}
finally
{
    Log.CloseAndFlush();
}

public partial class Program;
