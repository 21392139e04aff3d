using System.Diagnostics;
using Spectre.Console;

namespace Serverless.Cli;

/// <summary>
/// Shows progress of a long run on stderr: a Spectre.Console bar on an interactive terminal,
/// plain lines every few seconds otherwise (CI logs, pipes). Fed from one thread.
/// </summary>
internal sealed class ProgressReporter
{
    private readonly Stopwatch sinceLastLine = new();
    private readonly bool interactive = !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, which reports (done, failed, total, images/s, eta) through the callback.</summary>
    public async Task<T> RunAsync<T>(string title, Func<Action<ProgressSnapshot>, Task<T>> work)
    {
        if (!interactive)
            return await work(WriteLine);

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(title, maxValue: 1);
                task.IsIndeterminate = true;
                return await work(snapshot =>
                {
                    if (snapshot.Total is { } total && total > 0)
                    {
                        task.IsIndeterminate = false;
                        task.MaxValue = total;
                    }
                    task.Value = snapshot.Done;
                    task.Description = $"{title} {snapshot.Done}{(snapshot.Total is { } t ? "/" + t : "")} ({snapshot.Failed} failed, {snapshot.ImagesPerSecond:F1} img/s)";
                });
            });
    }

    private void WriteLine(ProgressSnapshot snapshot)
    {
        // The first line at once, then one every 2 s, and the last.
        if (!snapshot.Final && sinceLastLine.IsRunning && sinceLastLine.Elapsed < TimeSpan.FromSeconds(2))
            return;
        sinceLastLine.Restart();
        var total = snapshot.Total is { } t ? $"/{t}" : "";
        var eta = snapshot.EtaSeconds is { } e ? $" eta {TimeSpan.FromSeconds(Math.Round(e)):g}" : "";
        Console.Error.WriteLine($"{snapshot.Phase}: {snapshot.Done}{total} images, {snapshot.Failed} failed, {snapshot.ImagesPerSecond:F1} images/s{eta}");
    }
}

/// <summary>One progress update.</summary>
internal sealed record ProgressSnapshot(string Phase, long Done, long Failed, long? Total, double ImagesPerSecond, double? EtaSeconds, bool Final = false);
