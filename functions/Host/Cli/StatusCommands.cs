using System.CommandLine;
using System.Text.Json;
using Serverless.Storage;

namespace Serverless.Host.Cli;

/// <summary>`serverless status`, `serverless jobs`, `serverless results`: read-only views of jobs.</summary>
internal static class StatusCommands
{
    public static Command Status()
    {
        var client = new ClientOptions();
        var id = new Argument<string>("id") { Description = "Job id." };
        var wait = new Option<bool>("--wait") { Description = "Follow the job until it ends." };
        var command = new Command("status", "Show a job's status and progress.") { id, wait };
        client.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.RunAsync(async () =>
        {
            using var jobs = client.CreateClient(parse);
            var json = parse.GetValue(client.Output) == "json";
            if (parse.GetValue(wait))
                return await JobWatcher.WaitAsync(jobs, parse.GetValue(id)!, json, ct);
            var status = await jobs.GetAsync(parse.GetValue(id)!, ct) ?? throw new JobsClientException($"no job with id '{parse.GetValue(id)}'");
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(status, JobsClient.Json));
                return 0;
            }
            JobPrinter.PrintOutcome(status, json: false);
            if (status.TryGetProperty("customStatus", out var progress) && progress.ValueKind == JsonValueKind.Object)
                Console.WriteLine($"  progress: {progress}");
            return 0;
        }));
        return command;
    }

    public static Command Jobs()
    {
        var client = new ClientOptions();
        var status = new Option<string?>("--status") { Description = "Only jobs in these states (comma separated): Running, Completed, Failed, ..." };
        var command = new Command("jobs", "List jobs.") { status };
        client.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.RunAsync(async () =>
        {
            using var jobs = client.CreateClient(parse);
            var list = await jobs.ListAsync(parse.GetValue(status), ct);
            if (parse.GetValue(client.Output) == "json")
                Console.WriteLine(JsonSerializer.Serialize(list, JobsClient.Json));
            else
                JobPrinter.PrintTable(list);
            return 0;
        }));
        return command;
    }

    public static Command Results()
    {
        var client = new ClientOptions();
        var id = new Argument<string>("id") { Description = "Job id." };
        var download = new Option<FileInfo?>("--download") { Description = "Write the predictions to this file instead of stdout." };
        var command = new Command("results", "Print or download a finished job's predictions (storage credentials from the environment).") { id, download };
        client.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.RunAsync(async () =>
        {
            using var jobs = client.CreateClient(parse);
            var status = await jobs.GetAsync(parse.GetValue(id)!, ct) ?? throw new JobsClientException($"no job with id '{parse.GetValue(id)}'");
            if (!status.TryGetProperty("output", out var output) || output.ValueKind != JsonValueKind.Object)
                throw new JobsClientException($"job {parse.GetValue(id)} has no results yet ({status.GetProperty("runtimeStatus").GetString()})");
            var predictions = output.GetProperty("predictions").GetString()!;
            var slash = predictions.LastIndexOf('/');
            var store = ResultStoreFactory.Create(predictions[..slash], StorageConnections.FromEnvironment());
            await using var stream = await store.OpenReadAsync(predictions[(slash + 1)..], ct);
            if (parse.GetValue(download) is { } file)
            {
                await using var target = file.Create();
                await stream.CopyToAsync(target, ct);
                Console.Error.WriteLine($"wrote {file.FullName}");
            }
            else
            {
                await using var stdout = Console.OpenStandardOutput();
                await stream.CopyToAsync(stdout, ct);
            }
            return 0;
        }));
        return command;
    }
}
