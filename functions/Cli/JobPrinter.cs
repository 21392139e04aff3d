using System.Text.Json;

namespace Serverless.Cli;

/// <summary>Prints job statuses as a table (people) or JSON (scripts); results on stdout, diagnostics on stderr.</summary>
internal static class JobPrinter
{
    /// <returns>The exit code of the job's state (<see cref="ExitCodes.ForJob"/>): 0 only when it completed.</returns>
    public static int PrintOutcome(JsonElement status, bool json)
    {
        var runtime = status.GetProperty("runtimeStatus").GetString();
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(status, JobsClient.Json));
        }
        else
        {
            Console.WriteLine($"job {status.GetProperty("instanceId").GetString()}: {runtime}");
            if (status.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Object)
                foreach (var property in output.EnumerateObject())
                    Console.WriteLine($"  {property.Name}: {property.Value}");
            if (status.TryGetProperty("failureDetails", out var failure) && failure.ValueKind == JsonValueKind.Object)
                Console.WriteLine($"  error: {failure.GetProperty("errorMessage").GetString()}");
        }
        return ExitCodes.ForJob(runtime);
    }

    public static void PrintTable(IEnumerable<JsonElement> jobs)
    {
        Console.WriteLine($"{"ID",-40} {"STATUS",-11} {"DONE",8} {"FAILED",7} {"CREATED",-20}");
        foreach (var job in jobs)
        {
            var custom = job.TryGetProperty("customStatus", out var c) && c.ValueKind == JsonValueKind.Object ? c : default;
            string Count(string name) => custom.ValueKind == JsonValueKind.Object && custom.TryGetProperty(name, out var v) ? v.ToString() : "-";
            Console.WriteLine($"{job.GetProperty("instanceId").GetString(),-40} {job.GetProperty("runtimeStatus").GetString(),-11} {Count("done"),8} {Count("failed"),7} {job.GetProperty("createdTime").GetDateTime():yyyy-MM-dd HH:mm:ss}");
        }
    }
}
