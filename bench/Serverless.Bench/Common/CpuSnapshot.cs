namespace Serverless.Bench;

/// <summary>
/// CPU seconds of several named processes at one moment (<see cref="CpuTime"/>); the difference of
/// two snapshots is where one phase's CPU went, process by process.
/// </summary>
internal sealed class CpuSnapshot
{
    private readonly Dictionary<string, double> seconds;

    private CpuSnapshot(Dictionary<string, double> seconds) => this.seconds = seconds;

    public static CpuSnapshot Take(IReadOnlyDictionary<string, int> pids) =>
        new(pids.ToDictionary(p => p.Key, p => CpuTime.OfProcess(p.Value)));

    /// <summary>CPU seconds each process used since <paramref name="earlier"/>.</summary>
    public IReadOnlyDictionary<string, double> Since(CpuSnapshot earlier) =>
        seconds.ToDictionary(p => p.Key, p => p.Value - earlier.seconds[p.Key]);
}
