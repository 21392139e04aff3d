using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Cli;

/// <summary>
/// `serverless tenants set|list|delete`: the platform admin's commands (the master key) over
/// <c>PUT/GET/DELETE api/tenants/{name}</c> and <c>GET api/tenants</c>.
/// </summary>
internal static class TenantCommands
{
    public static Command Create() => new("tenants", "Manage tenants: the locations and models each team's keys may use (master key).")
    {
        Set(), List(), Delete(),
    };

    private static Command Set()
    {
        var client = new ClientOptions();
        var name = new Argument<string>("name") { Description = "Tenant name (lowercase letters, digits and '-')." };
        var sources = new Option<string[]>("--allow-source") { Description = "A location the tenant's jobs may read, with a trailing * (s3://images/team-a/*); repeat for more.", Required = true, AllowMultipleArgumentsPerToken = false };
        var outputs = new Option<string[]>("--allow-output") { Description = "A location the tenant's jobs may write, with a trailing *; repeat for more.", Required = true };
        var modelsDir = new Option<string?>("--models-dir") { Description = "The folder of the models root the tenant's jobs may use (default: the whole root)." };
        var weight = new Option<int?>("--weight") { Description = "Its share of saturated workers against other tenants of the same priority (default 1)." };
        var maxRunningJobs = new Option<int?>("--max-running-jobs") { Description = "Soft quota: its jobs running at once; more wait before they start (default: no limit)." };
        var maxUnits = new Option<int?>("--max-units") { Description = "Soft quota: its work units queued or running at once; more wait for a slot (default: no limit)." };
        var maxImages = new Option<long?>("--max-images-per-job") { Description = "Hard limit: images in one job; a job that lists more stops, saying so (default: no limit)." };
        var maxQueued = new Option<int?>("--max-queued-jobs") { Description = "Hard limit: its jobs waiting to start; a submission over it is refused with 429 and Retry-After (default: no limit)." };
        var command = new Command("set", "Create or replace a tenant (its keys stay); options left out are reset to their defaults.")
        {
            name, sources, outputs, modelsDir, weight, maxRunningJobs, maxUnits, maxImages, maxQueued,
        };
        client.AddTo(command, output: false);
        command.SetAction(async (parse, ct) =>
        {
            var tenant = parse.GetValue(name)!;
            using var http = client.CreateClient(parse);
            var body = new
            {
                allowSources = parse.GetValue(sources), allowOutputs = parse.GetValue(outputs), modelsDir = parse.GetValue(modelsDir),
                weight = parse.GetValue(weight), maxRunningJobs = parse.GetValue(maxRunningJobs), maxUnits = parse.GetValue(maxUnits),
                maxImagesPerJob = parse.GetValue(maxImages), maxQueuedJobs = parse.GetValue(maxQueued),
            };
            await http.SendAsync(HttpMethod.Put, $"api/tenants/{Uri.EscapeDataString(tenant)}", JsonContent.Create(body, options: JobsClient.Json), ct);
            Console.WriteLine($"tenant {tenant} set");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var client = new ClientOptions();
        var command = new Command("list", "List the tenants and their allowed locations.");
        client.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var http = client.CreateClient(parse);
            var answer = await http.SendAsync(HttpMethod.Get, "api/tenants", null, ct) ?? throw new JobsClientException("empty answer to the tenant list");
            if (Problem(answer) is { } problem)
                Console.Error.WriteLine($"warning: {problem}");
            if (client.Json(parse))
            {
                Console.WriteLine(JsonSerializer.Serialize(answer, JobsClient.Json));
                return ExitCodes.Success;
            }
            Console.WriteLine($"{"NAME",-24} {"MODELS-DIR",-16} {"ALLOW-SOURCE",-40} ALLOW-OUTPUT");
            foreach (var tenant in answer.GetProperty("tenants").EnumerateArray())
            {
                var modelsDir = tenant.TryGetProperty("modelsDir", out var dir) && dir.ValueKind == JsonValueKind.String ? dir.GetString() : "-";
                Console.WriteLine($"{tenant.GetProperty("name").GetString(),-24} {modelsDir,-16} {Join(tenant, "allowSources"),-40} {Join(tenant, "allowOutputs")}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var client = new ClientOptions();
        var name = new Argument<string>("name") { Description = "Tenant name." };
        var command = new Command("delete", "Delete a tenant and revoke its keys (its jobs stay, seen by the master key).") { name };
        client.AddTo(command, output: false);
        command.SetAction(async (parse, ct) =>
        {
            var tenant = parse.GetValue(name)!;
            using var http = client.CreateClient(parse);
            await http.SendAsync(HttpMethod.Delete, $"api/tenants/{Uri.EscapeDataString(tenant)}", null, ct);
            Console.WriteLine($"tenant {tenant} deleted");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The store's complaint (a document that does not parse), when the host sent one.</summary>
    internal static string? Problem(JsonElement answer) =>
        answer.TryGetProperty("problem", out var problem) && problem.ValueKind == JsonValueKind.String ? problem.GetString() : null;

    private static string Join(JsonElement tenant, string property) =>
        string.Join(",", tenant.GetProperty(property).EnumerateArray().Select(p => p.GetString()));
}
