using System.Diagnostics;
using System.Runtime.InteropServices;

namespace McpApi.Storage.Sqlite;

/// <summary>
/// Notices that the database file at the configured path is no longer the file the server opened — deleted, or
/// replaced by another file (a restore copied over it, a rename onto its path) — while the server runs. SQLite keeps
/// writing to the file it has open, so without this every later write would be answered and then lost at the next
/// restart. Once noticed, the database is lost for this process: reads and writes get 503 <c>storage_unavailable</c>,
/// readiness is 503, and one Error line says so; only a restart opens the file now at the path.
/// </summary>
/// <remarks>
/// The file's identity is its device and inode number (<c>statx</c> on Linux, a fixed layout on every architecture);
/// where that is not available only a deleted file is noticed (Windows does not let an open database be deleted).
/// Requests look at the path at most once per <see cref="CheckInterval"/> (a clock read otherwise, no system call on
/// the hot path); readiness looks every time it is asked. Writes are looked at again after their commit, so a write
/// that reached a file no longer at the path is not acknowledged once the check has run.
/// </remarks>
internal sealed partial class SqliteFileGuard(string? path, ILogger logger)
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private static readonly long CheckIntervalTicks = (long)(CheckInterval.TotalSeconds * Stopwatch.Frequency);

    private FileIdentity? _opened;
    private long _nextCheck;
    private int _checking;
    private volatile string? _lost;

    /// <summary>Why the database cannot be used any more (null while the file at the path is the one opened).</summary>
    public string? Lost => _lost;

    /// <summary>Remembers which file the server opened; called once the schema is in place.</summary>
    public void Remember()
    {
        if (path is null)
            return;
        _opened = FileIdentity.Of(path);
        Volatile.Write(ref _nextCheck, Stopwatch.GetTimestamp() + CheckIntervalTicks);
    }

    /// <summary>Throws <see cref="StorageUnavailableException"/> when the file is gone; looks at the path when a check is due.</summary>
    public void ThrowIfLost()
    {
        var lost = _lost;
        if (lost is null && Stopwatch.GetTimestamp() >= Volatile.Read(ref _nextCheck))
            lost = CheckWhenDue();
        if (lost is not null)
            throw new StorageUnavailableException(lost, new IOException(lost));
    }

    /// <summary>Looks at the path now (readiness) and returns why the database is lost, or null.</summary>
    public string? Check()
    {
        if (_lost is null && path is not null && _opened is { } opened)
        {
            var now = FileIdentity.Of(path);
            if (now is null)
                MarkLost("deleted");
            else if (!now.Value.IsSameFileAs(opened))
                MarkLost("replaced by another file");
        }
        return _lost;
    }

    private string? CheckWhenDue()
    {
        // One caller looks; the others go on with the last answer (the file was there a moment ago).
        if (Interlocked.CompareExchange(ref _checking, 1, 0) != 0)
            return _lost;
        try
        {
            Volatile.Write(ref _nextCheck, Stopwatch.GetTimestamp() + CheckIntervalTicks);
            return Check();
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }

    private void MarkLost(string what)
    {
        var reason = $"The database file was {what} while the server was running; nothing more can be stored safely. "
            + "Restart the server (it opens the file now at the configured path); see README, Reliability.";
        if (Interlocked.CompareExchange(ref _lost, reason, null) is null)
            LogFileLost(logger, path!, what);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The database file {Path} was {What} while the server was running: "
        + "writes since then would be lost, so every read and write now gets 503 storage_unavailable and /health/ready is 503. "
        + "Restart the server to open the file now at that path (restore a backup there first if it was deleted by mistake)")]
    private static partial void LogFileLost(ILogger logger, string path, string what);

    /// <summary>Which file a path names: device and inode (<see cref="Exact"/>), or only "a file exists" where those cannot be read.</summary>
    private readonly record struct FileIdentity(ulong Device, ulong Inode, bool Exact)
    {
        private const int AtFdCwd = -100;
        private const uint StatxIno = 0x100;
        private static bool _statxWorks = OperatingSystem.IsLinux();

        /// <summary>Another file than <paramref name="other"/> only when both were read exactly and differ.</summary>
        public bool IsSameFileAs(FileIdentity other) => !Exact || !other.Exact || (Device == other.Device && Inode == other.Inode);

        /// <summary>The identity of the file at <paramref name="path"/>, or null when there is none.</summary>
        public static FileIdentity? Of(string path)
        {
            if (_statxWorks)
            {
                try
                {
                    if (Statx(AtFdCwd, path, 0, StatxIno, out var status) == 0)
                        return new FileIdentity(((ulong)status.DeviceMajor << 32) | status.DeviceMinor, status.Inode, Exact: true);
                    switch (Marshal.GetLastPInvokeError())
                    {
                        case 2 or 20: // ENOENT, ENOTDIR: nothing at the path
                            return null;
                        case not (38 or 1): // not ENOSYS/EPERM (a sandbox without statx): e.g. EACCES, cannot tell
                            return new FileIdentity(0, 0, Exact: false);
                    }
                }
                catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
                {
                }
                _statxWorks = false;
            }
            return File.Exists(path) ? new FileIdentity(0, 0, Exact: false) : null;
        }

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int Statx(int directory, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, out StatxBuffer buffer);

        /// <summary>Linux <c>struct statx</c> (256 bytes, the same on every architecture); only the fields read here.</summary>
        [StructLayout(LayoutKind.Explicit, Size = 256)]
        private struct StatxBuffer
        {
            [FieldOffset(32)] public ulong Inode;
            [FieldOffset(136)] public uint DeviceMajor;
            [FieldOffset(140)] public uint DeviceMinor;
        }
    }
}
