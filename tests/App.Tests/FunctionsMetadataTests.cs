using System.Text.Json;
using Serverless.TestSupport;

namespace Serverless.App.Tests;

/// <summary>
/// What the Functions host will index: the functions.metadata and extensions.json the worker SDK
/// generates at build. A function dropped, renamed, or bound differently fails here.
/// </summary>
public sealed class FunctionsMetadataTests
{
    /// <summary>Every function: trigger type, route, methods and auth level (HTTP), and its other input bindings.</summary>
    public static TheoryData<string, string, string?, string?, string?, string> Expected => new()
    {
        { "StartJob", "httpTrigger", "jobs", "post", "Function", "durableClient" },
        { "GetJob", "httpTrigger", "jobs/{id}", "get", "Function", "durableClient" },
        { "ListJobs", "httpTrigger", "jobs", "get", "Function", "durableClient" },
        { "TerminateJob", "httpTrigger", "jobs/{id}/terminate", "post", "Admin", "durableClient" },
        { "PurgeJob", "httpTrigger", "jobs/{id}", "delete", "Admin", "durableClient" },
        { "RerunJob", "httpTrigger", "jobs/{id}/rerun", "post", "Function", "durableClient" },
        { "JobResults", "httpTrigger", "jobs/{id}/results", "get", "Function", "durableClient" },
        { "SetJobPriority", "httpTrigger", "jobs/{id}/priority", "post", "Admin", "durableClient" },
        { "Scheduler", "httpTrigger", "scheduler", "get", "Admin", "durableClient" },
        { "Classify", "httpTrigger", "classify", "post", "Function", "" },
        { "BatchInferenceJob", "orchestrationTrigger", null, null, null, "" },
        { "ClassifyPage", "orchestrationTrigger", null, null, null, "" },
        { "CheckModel", "activityTrigger", null, null, null, "" },
        { "ListSourcePage", "activityTrigger", null, null, null, "" },
        { "ClassifyBatch", "activityTrigger", null, null, null, "" },
        { "RecordFailures", "activityTrigger", null, null, null, "" },
        { "RecordPage", "activityTrigger", null, null, null, "" },
        { "HealReadFailures", "activityTrigger", null, null, null, "" },
        { "MergeShard", "activityTrigger", null, null, null, "" },
        { "WriteResults", "activityTrigger", null, null, null, "" },
        { "CleanWorkArea", "activityTrigger", null, null, null, "" },
        { "BlobDrop", "blobTrigger", null, null, null, "" },
        { "BlobDropEventGrid", "blobTrigger", null, null, null, "" },
        { "JobFileDrop", "blobTrigger", null, null, null, "durableClient" },
        { "jobscheduler", "entityTrigger", null, null, null, "" },
    };

    private static readonly Lazy<JsonElement[]> Functions = new(() =>
        JsonSerializer.Deserialize<JsonElement[]>(File.ReadAllText(Path.Combine(AppOutput, "functions.metadata")))!);

    private static string AppOutput
    {
        get
        {
            var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            return Path.Combine(testBin.Parent!.Parent!.FullName, "Serverless.App", testBin.Name);
        }
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void Each_function_has_its_trigger_and_bindings(string name, string trigger, string? route, string? method, string? authLevel, string otherInput)
    {
        var function = Assert.Single(Functions.Value, f => f.GetProperty("name").GetString() == name);
        var inputs = function.GetProperty("bindings").EnumerateArray().Where(b => b.GetProperty("direction").GetString() == "In").ToList();
        var triggerBinding = Assert.Single(inputs, b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

        Assert.Equal(trigger, triggerBinding.GetProperty("type").GetString());
        Assert.Equal(route, triggerBinding.TryGetProperty("route", out var r) ? r.GetString() : null);
        Assert.Equal(method, triggerBinding.TryGetProperty("methods", out var m) ? Assert.Single(m.EnumerateArray()).GetString() : null);
        Assert.Equal(authLevel, triggerBinding.TryGetProperty("authLevel", out var a) ? a.GetString() : null);
        Assert.Equal(otherInput, string.Join(",", inputs.Where(b => !b.Equals(triggerBinding)).Select(b => b.GetProperty("type").GetString())));
        if (trigger == "blobTrigger")
            Assert.StartsWith("%DROPS_", triggerBinding.GetProperty("path").GetString());
    }

    [Fact]
    public void The_app_has_no_function_the_list_does_not_name()
    {
        var names = Functions.Value.Select(f => f.GetProperty("name").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(Expected.Select(row => (string)row[0]).Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void The_extensions_are_the_Durable_Task_and_Blobs_ones()
    {
        var extensions = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Path.Combine(AppOutput, "extensions.json")))
            .GetProperty("extensions").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToList();
        Assert.Contains("DurableTask", extensions);
        Assert.Contains("AzureStorageBlobs", extensions);
        Assert.True(Directory.Exists(Path.Combine(AppOutput, ".azurefunctions")), "the extension bundle the host loads is missing");
    }

    [Fact]
    public void The_app_ships_its_host_json()
    {
        Assert.True(File.Exists(Path.Combine(AppOutput, "host.json")));
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "functions", "App", "host.json")), File.ReadAllText(Path.Combine(AppOutput, "host.json")));
    }
}
