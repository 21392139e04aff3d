using System.Collections.Concurrent;
using System.Diagnostics;

namespace Serverless.Bench;

/// <summary>
/// The `serverless` executable of this build (functions/Host), run as a child process. Its output's
/// last lines are kept for errors; with <c>BENCH_HOST_LOG</c> set to a file, every line is appended
/// there too, stamped with the time it arrived (a diagnosis: raise the host's log level with, say,
/// <c>Logging__LogLevel__Serverless=Information</c> in the benchmark's environment, which the host inherits).
/// </summary>
internal sealed class HostChild : IAsyncDisposable
{
    private static readonly string? LogPath = Environment.GetEnvironmentVariable("BENCH_HOST_LOG");
    private static readonly Lock LogLock = new();
    private readonly Process process;
    private readonly ConcurrentQueue<string> tail = new();

    private HostChild(Process process) => this.process = process;

    /// <summary>serverless.dll beside this harness's output (the same slot and configuration).</summary>
    public static string DllPath
    {
        get
        {
            var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(bin.Parent!.Parent!.FullName, "Serverless.Cli", bin.Name, "serverless.dll");
        }
    }

    public string OutputTail => string.Join('\n', tail);

    /// <summary>Starts `serverless args...` in the repository root with <paramref name="environment"/> added.</summary>
    public static HostChild Start(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = BenchPaths.RepoRoot };
        psi.ArgumentList.Add(DllPath);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start serverless.");
        var child = new HostChild(process);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public bool HasExited => process.HasExited;

    public int Pid => process.Id;

    public async Task<int> WaitForExitAsync()
    {
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (LogPath is not null)
        {
            lock (LogLock)
                File.AppendAllText(LogPath, $"{DateTime.UtcNow:HH:mm:ss.fff} [{process.Id}] {line}\n");
        }
        tail.Enqueue(line);
        while (tail.Count > 60 && tail.TryDequeue(out _))
        {
        }
    }

    /// <summary>Waits until the host answers /healthz (90 s at most); fails at once if it exits.</summary>
    public async Task WaitHealthyAsync(HttpClient http)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (HasExited)
                throw new InvalidOperationException($"the host exited during start-up:\n{OutputTail}");
            try
            {
                if ((await http.GetAsync("healthz")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the host did not answer /healthz:\n{OutputTail}");
    }
}
