using Microsoft.Extensions.FileProviders;

namespace McpApi.Hosting;

/// <summary>
/// The live web console at <c>GET /</c>: static files from <c>wwwroot</c> beside the built or published app,
/// wherever the content root is (the repository root when started from there).
/// </summary>
public static class WebConsoleSetup
{
    public static IApplicationBuilder UseWebConsole(this IApplicationBuilder app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        IFileProvider files = Directory.Exists(root) ? new PhysicalFileProvider(root)
            : app.ApplicationServices.GetRequiredService<IWebHostEnvironment>().WebRootFileProvider;
        // Only GET and HEAD can read a file: other requests (every MCP call and envelope POST) skip the file middleware.
        app.UseWhen(http => HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method), console => console
            .UseDefaultFiles(new DefaultFilesOptions { FileProvider = files })
            .UseStaticFiles(new StaticFileOptions { FileProvider = files }));
        return app;
    }
}
