using System.Collections.Concurrent;
using System.Diagnostics;

namespace Serverless.EndToEnd.Tests.Support;

/// <summary>A running `serverless` client command (<see cref="HostProcess.StartCli"/>): its output as it comes, signals, its exit.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> stdout = new();
    private readonly ConcurrentQueue<string> stderr = new();
    private readonly TaskCompletionSource outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int streamsOpen = 2;

    internal CliProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => Keep(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Keep(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string StdOut => string.Join('\n', stdout);
    public string StdErr => string.Join('\n', stderr);

    /// <summary>Waits for a line on stderr that satisfies <paramref name="match"/>; returns it.</summary>
    public async Task<string> WaitForStdErrAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (stderr.FirstOrDefault(match) is { } line)
                return line;
            if (process.HasExited)
                break;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no such line on stderr within {timeout} (exited: {process.HasExited}):\n{StdErr}\n{StdOut}");
    }

    /// <summary>Ctrl+C: SIGINT, as a terminal sends it.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", process.Id.ToString()]);
        kill.WaitForExit();
    }

    /// <summary>Waits for the exit and the end of its output; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            await outputClosed.Task.WaitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the command did not exit within {timeout}:\n{StdErr}\n{StdOut}");
        }
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.Dispose();
    }

    private void Keep(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
            lines.Enqueue(line);
        else if (Interlocked.Decrement(ref streamsOpen) == 0)
            outputClosed.TrySetResult();
    }
}
