using System;
using System.IO;
using System.Threading;

/// <summary>
/// Loaded by the runtime when DOTNET_STARTUP_HOOKS names this assembly (bench/envelope_costs.sh). Every 50 ms it writes
/// the process's total allocated bytes (GC.GetTotalAllocatedBytes; off by at most a few allocation contexts of 8 KB) to the file ALLOCATION_PROBE_FILE names,
/// so a script can read bytes allocated per request of any .NET server, metrics endpoint or not.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable("ALLOCATION_PROBE_FILE");
        if (string.IsNullOrEmpty(path))
            return;
        var thread = new Thread(() =>
        {
            var temporary = path + ".tmp";
            while (true)
            {
                File.WriteAllText(temporary, GC.GetTotalAllocatedBytes(precise: false).ToString());
                File.Move(temporary, path, overwrite: true);
                Thread.Sleep(50);
            }
        }) { IsBackground = true, Name = "allocation probe" };
        thread.Start();
    }
}
