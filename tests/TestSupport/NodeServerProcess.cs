using System.Collections.Concurrent;
using System.Diagnostics;

namespace Serverless.TestSupport;

/// <summary>
/// A node server started for a test: keeps the tail of its output for error messages,
/// waits until its ports accept connections, and kills its whole process tree when disposed
/// (or when the test process exits, so no emulator outlives the run).
/// </summary>
public sealed class NodeServerProcess : IDisposable
{
    private const int OutputLinesKept = 200;
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private int disposed;

    private NodeServerProcess(Process process)
    {
        this.process = process;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The node process id.</summary>
    public int Pid => process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>Every line the server prints from now on (stdout and stderr), as it prints it.</summary>
    public event Action<string>? Line;

    /// <summary>The last lines the server printed (stdout and stderr interleaved).</summary>
    public string OutputTail => string.Join('\n', output);

    /// <summary>Starts <c>node [nodeArgs] script [args]</c> in <paramref name="workingDirectory"/>.</summary>
    public static NodeServerProcess Start(
        IEnumerable<string> nodeArgs, string script, IEnumerable<string> args, string workingDirectory)
    {
        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in nodeArgs)
        {
            psi.ArgumentList.Add(a);
        }

        psi.ArgumentList.Add(script);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var server = new NodeServerProcess(process);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start node {script}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>
    /// Starts a server on <paramref name="portCount"/> freshly picked free ports and waits until it
    /// listens on all of them. A picked port can be taken before the server binds it, and then
    /// the server exits: that is retried with new ports, up to three times.
    /// <paramref name="command"/> gives node's arguments, the script and its arguments for the ports.
    /// </summary>
    public static async Task<(NodeServerProcess Server, int[] Ports)> StartOnFreePortsAsync(
        string name, int portCount, Func<int[], (IEnumerable<string> NodeArgs, string Script, IEnumerable<string> Args)> command,
        string workingDirectory, TimeSpan timeout, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreePort.Next(portCount);
            var (nodeArgs, script, args) = command(ports);
            var server = Start(nodeArgs, script, args, workingDirectory);
            try
            {
                if (await server.WaitForPortsAsync(ports, timeout, cancellationToken).ConfigureAwait(false))
                {
                    return (server, ports);
                }
            }
            catch
            {
                server.Dispose();
                throw;
            }

            var tail = server.OutputTail;
            server.Dispose();
            if (attempt == 3)
            {
                throw new InvalidOperationException($"{name} exited during start-up three times:\n{tail}");
            }
        }
    }

    /// <summary>
    /// Waits until every port accepts TCP connections. Returns false when the process exited
    /// first (a port taken between picking and binding: the caller retries with new ports);
    /// throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public async Task<bool> WaitForPortsAsync(IReadOnlyList<int> ports, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var pending = ports.ToList();
        while (pending.Count > 0)
        {
            if (process.HasExited)
            {
                return false;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException(
                    $"node server (pid {Pid}) did not listen on port(s) {string.Join(", ", pending)} within {timeout.TotalSeconds:0}s.\n{OutputTail}");
            }

            for (var i = pending.Count - 1; i >= 0; i--)
            {
                if (await FreePort.IsListeningAsync(pending[i], cancellationToken).ConfigureAwait(false))
                {
                    pending.RemoveAt(i);
                }
            }

            if (pending.Count > 0)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <summary>Kills the process tree and waits for it to end.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Kill();
        process.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        Line?.Invoke(line);
        output.Enqueue(line);
        while (output.Count > OutputLinesKept && output.TryDequeue(out _))
        {
        }
    }
}
