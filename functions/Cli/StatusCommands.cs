using System.CommandLine;
using System.Text.Json;

namespace Serverless.Cli;

/// <summary>`serverless status`, `serverless jobs`: read-only views of jobs.</summary>
internal static class StatusCommands
{
    /// <summary>`status`: exits 0 for a completed job, 1 for a failed or terminated one, 3 for one not ended (without --wait).</summary>
    public static Command Status()
    {
        var client = new ClientOptions();
        var id = new Argument<string>("id") { Description = "Job id." };
        var wait = new Option<bool>("--wait") { Description = "Follow the job until it ends." };
        var command = new Command("status", "Show a job's status and progress; exit 0 completed, 1 failed or terminated, 3 not ended yet.") { id, wait };
        client.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var jobs = client.CreateClient(parse);
            var json = client.Json(parse);
            if (parse.GetValue(wait))
                return await JobWatcher.WaitAsync(jobs, parse.GetValue(id)!, json, ct);
            var status = await jobs.GetKnownAsync(parse.GetValue(id)!, ct);
            var exitCode = JobPrinter.PrintOutcome(status, json);
            if (!json && status.TryGetProperty("customStatus", out var progress) && progress.ValueKind == JsonValueKind.Object)
                Console.WriteLine($"  progress: {progress}");
            return exitCode;
        });
        return command;
    }

    public static Command Jobs()
    {
        var client = new ClientOptions();
        var status = new Option<string?>("--status") { Description = "Only jobs in these states (comma separated): Running, Completed, Failed, ..." };
        var top = new Option<int>("--top") { Description = "Show at most this many jobs, newest first (the host's pages are followed).", DefaultValueFactory = _ => 100 };
        top.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--top must be at least 1"); });
        var command = new Command("jobs", "List jobs, newest first.") { status, top };
        client.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            using var jobs = client.CreateClient(parse);
            var (list, more) = await jobs.ListAsync(parse.GetValue(status), parse.GetValue(top), ct);
            if (client.Json(parse))
                Console.WriteLine(JsonSerializer.Serialize(new { jobs = list, continuationToken = more }, JobsClient.Json));
            else
                JobPrinter.PrintTable(list);
            if (more is not null && !client.Json(parse))
                Console.Error.WriteLine($"(more jobs than --top {parse.GetValue(top)}: raise it to see them)");
            return ExitCodes.Success;
        });
        return command;
    }
}
