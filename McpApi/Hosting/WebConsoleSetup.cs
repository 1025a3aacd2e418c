using Microsoft.Extensions.FileProviders;

namespace McpApi.Hosting;

/// <summary>
/// The live web console at <c>GET /</c>: static files from <c>wwwroot</c> beside the built or published app,
/// wherever the content root is (the repository root when started from there).
/// </summary>
public static class WebConsoleSetup
{
    public static WebApplication UseWebConsole(this WebApplication app)
    {
        var root = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        IFileProvider files = Directory.Exists(root) ? new PhysicalFileProvider(root) : app.Environment.WebRootFileProvider;
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        return app;
    }
}
