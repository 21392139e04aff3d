using System.Runtime.InteropServices;

namespace Serverless.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM for the client commands: the first signal cancels <see cref="Token"/>
/// so the command stops where it is and says so on one line; a second one ends the process at once
/// (the default action), for a command stuck in a call that does not listen to cancellation.
/// </summary>
internal sealed class SignalCancellation : IDisposable
{
    private readonly CancellationTokenSource cancellation = new();
    private readonly PosixSignalRegistration interrupt;
    private readonly PosixSignalRegistration terminate;
    private int received;

    public SignalCancellation()
    {
        interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => cancellation.Token;

    /// <summary>The exit code of the signal received (130 for SIGINT, 143 for SIGTERM), or null if none was.</summary>
    public int? ExitCode => Volatile.Read(ref received) switch
    {
        0 => null,
        (int)PosixSignal.SIGTERM => Cli.ExitCodes.Terminated,
        _ => Cli.ExitCodes.Interrupted,
    };

    public void Dispose()
    {
        interrupt.Dispose();
        terminate.Dispose();
        cancellation.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The second signal keeps its default action: the process ends.
        if (Interlocked.CompareExchange(ref received, (int)context.Signal, 0) != 0)
            return;
        context.Cancel = true;
        cancellation.Cancel();
    }
}
