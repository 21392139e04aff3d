using System.Collections.Concurrent;
using System.Diagnostics;
using Serverless.TestSupport;

namespace Serverless.Orchestrations.Tests.AzureStorage;

/// <summary>
/// A real worker process (tests/WorkerProcess) on an Azurite task hub. Its output is kept for
/// diagnostics; disposing kills it.
/// </summary>
internal sealed class WorkerProcessHandle : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcessHandle(string workerId, Process process)
    {
        WorkerId = workerId;
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string WorkerId { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process printed.</summary>
    public string OutputTail => string.Join('\n', _output);

    public static WorkerProcessHandle Start(string connectionString, string hubName, string workerId, params string[] extraArgs)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WorkerProcessBuild.DllPath);
        foreach (var arg in new[] { "--connection", connectionString, "--hub", hubName, "--worker-id", workerId }.Concat(extraArgs))
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the worker process.");
        return new WorkerProcessHandle(workerId, process);
    }

    /// <summary>SIGKILL, as when a node dies: no shutdown code runs, leases are not released.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancellation.Token);
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        _output.Enqueue(line);
        while (_output.Count > 200)
            _output.TryDequeue(out _);
    }
}
