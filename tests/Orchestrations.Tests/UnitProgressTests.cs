using Microsoft.Extensions.DependencyInjection;
using Serverless.Jobs.Configuration;
using Serverless.Jobs.Progress;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests;

/// <summary>A work unit's progress row in the task hub's table (Azurite): what a unit writes, and when it writes nothing.</summary>
[Collection(TaskHubCollection.Name)]
public sealed class UnitProgressTests(TaskHubHost hub)
{
    private UnitProgress Progress(TimeSpan interval) => new(hub.Services.GetRequiredService<TaskHubAccount>(), hub.HubName, interval);

    [Fact]
    public async Task A_unit_that_ends_within_its_first_interval_writes_no_row()
    {
        var progress = Progress(TimeSpan.FromHours(1));
        var unit = progress.Start("job-short", 0, "parts/part-000000-00000");

        Assert.False(await unit.ReportAsync(32, 0, final: false, CancellationToken.None));
        Assert.False(await unit.ReportAsync(40, 1, final: true, CancellationToken.None));

        // Nothing to add to the page: its own status counts the unit when the unit's result reaches it.
        Assert.Equal((0L, 0L), await progress.ReadPageAsync("job-short", 0, CancellationToken.None));
    }

    [Fact]
    public async Task A_unit_that_wrote_while_it_ran_writes_its_end_at_once()
    {
        var progress = Progress(TimeSpan.FromMilliseconds(200));
        var unit = progress.Start("job-long", 3, "parts/part-000003-00001");
        var other = progress.Start("job-long", 3, "parts/part-000003-00002");

        await Task.Delay(TimeSpan.FromMilliseconds(250));
        Assert.True(await unit.ReportAsync(32, 0, final: false, CancellationToken.None));
        // Within the interval: no write in the run, but the end is written, so the row never stays behind the unit.
        Assert.False(await unit.ReportAsync(64, 0, final: false, CancellationToken.None));
        Assert.True(await unit.ReportAsync(70, 2, final: true, CancellationToken.None));
        // A unit that ran past the interval writes its end even if it wrote nothing before (one inference batch).
        Assert.True(await other.ReportAsync(9, 1, final: true, CancellationToken.None));

        Assert.Equal((79L, 3L), await progress.ReadPageAsync("job-long", 3, CancellationToken.None));
    }
}
