using System.CommandLine;

namespace Serverless.Cli;

/// <summary>
/// `serverless terminate` and `serverless purge`: the admin commands (the host's master key), over
/// <c>POST api/jobs/{id}/terminate</c> and <c>DELETE api/jobs/{id}</c>. A job that has already
/// ended cannot be terminated (410), and one that has not cannot be purged (412, as Durable Functions answers): both are errors.
/// </summary>
internal static class ManageCommands
{
    public static Command Terminate()
    {
        var client = new ClientOptions();
        var id = new Argument<string>("id") { Description = "Job id." };
        var reason = new Option<string?>("--reason") { Description = "Why, recorded as the job's output." };
        var wait = new Option<bool>("--wait") { Description = "Wait until the job has ended, so it can be purged." };
        var command = new Command("terminate", "Terminate a running job and its pages (master key).") { id, reason, wait };
        client.AddTo(command, output: false);
        command.SetAction(async (parse, ct) =>
        {
            var jobId = parse.GetValue(id)!;
            using var jobs = client.CreateClient(parse);
            await jobs.TerminateAsync(jobId, parse.GetValue(reason), ct);
            if (!parse.GetValue(wait))
            {
                Console.WriteLine($"job {jobId} terminating");
                return ExitCodes.Success;
            }
            string? runtime;
            while (ExitCodes.ForJob(runtime = (await jobs.GetKnownAsync(jobId, ct)).GetProperty("runtimeStatus").GetString()) == ExitCodes.StillRunning)
                await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            // Terminated, or ended by itself before the terminate reached it.
            Console.WriteLine($"job {jobId} {runtime?.ToLowerInvariant()}");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Purge()
    {
        var client = new ClientOptions();
        var id = new Argument<string>("id") { Description = "Job id." };
        var command = new Command("purge", "Delete an ended job's history and its pages' (master key); its results stay in storage.") { id };
        client.AddTo(command, output: false);
        command.SetAction(async (parse, ct) =>
        {
            var jobId = parse.GetValue(id)!;
            using var jobs = client.CreateClient(parse);
            var deleted = await jobs.PurgeAsync(jobId, ct);
            Console.WriteLine($"job {jobId} purged ({deleted} instances deleted)");
            return ExitCodes.Success;
        });
        return command;
    }
}
