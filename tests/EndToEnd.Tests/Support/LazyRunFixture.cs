namespace Serverless.EndToEnd.Tests.Support;

/// <summary>Starts a test class's run (host, browser) with the first test that asks, and ends it after the last test of the class.</summary>
public abstract class LazyRunFixture<TRun>(Func<JobStack, Task<TRun>> start) : IAsyncLifetime where TRun : IAsyncDisposable
{
    private readonly object gate = new();
    private Task<TRun>? run;

    public Task<TRun> RunAsync(JobStack stack)
    {
        lock (gate)
            return run ??= start(stack);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (run is { IsCompletedSuccessfully: true })
            await run.Result.DisposeAsync();
    }
}
