using System.Diagnostics;

namespace Serverless.Bench;

/// <summary>What the no-op activities record: when each started and finished (shared by the worker's threads).</summary>
internal sealed class FanOutProbe(int expected)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private int started;
    private int finished;

    public double LastStartSeconds { get; private set; } = double.NaN;

    public double FirstFinishSeconds { get; private set; } = double.NaN;

    public double LastFinishSeconds { get; private set; } = double.NaN;

    public int Started => Volatile.Read(ref started);

    public double Now => clock.Elapsed.TotalSeconds;

    public void OnStart()
    {
        if (Interlocked.Increment(ref started) == expected)
        {
            LastStartSeconds = Now;
        }
    }

    public void OnFinish()
    {
        var n = Interlocked.Increment(ref finished);
        if (n == 1)
        {
            FirstFinishSeconds = Now;
        }

        if (n == expected)
        {
            LastFinishSeconds = Now;
        }
    }
}
