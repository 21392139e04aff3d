using System.Collections.Concurrent;
using System.Diagnostics;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Support;

/// <summary>
/// A real `serverless host` process (the one the README runs), started from this build's output
/// with its own environment, so tests can kill -9 it like a crashed pod.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private HostProcess(Process process, int port)
    {
        this.process = process;
        Port = port;
    }

    public int Port { get; }
    public int Pid => process.Id;
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");
    public bool HasExited => process.HasExited;
    public string OutputTail => string.Join('\n', output.TakeLast(80));

    /// <summary>The host's executable in this build (a sibling of the test project's output folder).</summary>
    public static string ExecutablePath => SiblingOutput("Serverless.Cli", "serverless.dll");

    /// <summary>The tests' poison worker (tests/WorkerProcess): the host's worker role, killed by reading a marked image.</summary>
    public static string PoisonWorkerPath => SiblingOutput("Serverless.WorkerProcess", "Serverless.WorkerProcess.dll");

    public static Task<HostProcess> StartAsync(string role, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken = default)
    {
        var port = FreePort.Next();
        return StartAsync(ExecutablePath, ["host", "--role", role, "--port", port.ToString()], port, environment, cancellationToken);
    }

    /// <summary>Starts the poison worker (<see cref="PoisonWorkerPath"/>); reading a key that contains <paramref name="marker"/> kills it.</summary>
    public static Task<HostProcess> StartPoisonWorkerAsync(string marker, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken = default)
    {
        var port = FreePort.Next();
        return StartAsync(PoisonWorkerPath, [port.ToString()], port, new Dictionary<string, string>(environment) { ["CRASH_MARKER"] = marker }, cancellationToken);
    }

    private static async Task<HostProcess> StartAsync(string dll, IReadOnlyList<string> args, int port, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var process = Start(dll, args, environment);
        var host = new HostProcess(process, port);
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await host.WaitHealthyAsync(cancellationToken);
        return host;
    }

    /// <summary>Runs a one-shot CLI command of the same executable and returns its exit code and output; killed after <paramref name="timeout"/> (default 5 minutes).</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunCliAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        using var process = Start(ExecutablePath, args, environment ?? new Dictionary<string, string>());
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"serverless {string.Join(' ', args)} did not exit within {timeout ?? TimeSpan.FromMinutes(5)}:\n{await stdout}\n{await stderr}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts a CLI command of the same executable without waiting for it (to signal it, or read its output as it comes).</summary>
    public static CliProcess StartCli(IReadOnlyList<string> args, IReadOnlyDictionary<string, string>? environment = null) =>
        new(Start(ExecutablePath, args, environment ?? new Dictionary<string, string>()));

    /// <summary>kill -9: no graceful shutdown, no lease release, in-flight work lost.</summary>
    public void Kill()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, what Kubernetes sends a pod it stops: the host drains and exits by itself.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString()]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the process to exit; returns its exit code, or null if it was still running at the timeout.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Kills and releases the process; a second call does nothing (a test's finally must not hide why it failed).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
            return;
        Kill();
        process.Dispose();
        await Task.CompletedTask;
    }

    private int disposed;

    private static string SiblingOutput(string project, string dll)
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(testBin.Parent!.Parent!.FullName, project, testBin.Name, dll);
    }

    private static Process Start(string dll, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        // Through env --default-signal: a test run started in the background by a shell without job
        // control inherits SIGINT ignored, and .NET keeps an ignored SIGINT ignored, so the Ctrl+C
        // tests would test the shell that started them; env (exec, same pid) restores the default.
        var psi = new ProcessStartInfo("env")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        psi.ArgumentList.Add("--default-signal=INT");
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(dll);
        foreach (var arg in args)
            psi.ArgumentList.Add(arg);
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        psi.Environment["Logging__LogLevel__Serverless"] = "Information";
        foreach (var (key, value) in environment)
            psi.Environment[key] = value;
        return Process.Start(psi) ?? throw new InvalidOperationException("could not start the host");
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the host exited during start-up ({process.ExitCode}):\n{OutputTail}");
            try
            {
                if ((await http.GetAsync("healthz", cancellationToken)).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(200, cancellationToken);
        }
        throw new TimeoutException($"the host did not answer /healthz within 60 s:\n{OutputTail}");
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        output.Enqueue(line);
        while (output.Count > 400)
            output.TryDequeue(out _);
    }
}
