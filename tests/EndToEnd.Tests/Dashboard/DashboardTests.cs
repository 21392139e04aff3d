using System.Text.Json;
using Serverless.EndToEnd.Tests.Support;
using Xunit.Abstractions;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>
/// The dashboard, its routes, the metrics and the report, on one host with one finished job
/// (<see cref="DashboardRun"/>). Split over files by what they check; one class so they share it.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed partial class DashboardTests(JobStack stack, DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>
{
    private Task<DashboardRun> RunAsync() => fixture.RunAsync(stack);

    private static JsonElement Json(string text) => JsonSerializer.Deserialize<JsonElement>(text);
}
