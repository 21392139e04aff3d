using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;

namespace Serverless.Cli;

/// <summary>
/// `serverless rerun &lt;id&gt; --failed [--reasons R1,R2] [--wait]`: a new job over exactly the failed
/// images of an ended job (redrive), with its model, options and source; prints the new job's id
/// as `submit` does, and with --wait follows it to the end.
/// </summary>
internal static class RerunCommand
{
    public static Command Create()
    {
        var client = new ClientOptions();
        var id = new Argument<string>("id") { Description = "The ended job whose failed images to classify again." };
        var failed = new Option<bool>("--failed") { Description = "Rerun the job's failed images (required: the only kind of rerun)." };
        var reasons = new Option<string?>("--reasons") { Description = "Only images that failed with these error codes, comma-separated (e.g. read_failed,worker_crashed); default all." };
        var newId = new Option<string?>("--id") { Description = "The new job's id; submitting the same id again does not start a second job." };
        var output = new Option<string?>("--out") { Description = "Where the new job's results go (default: reruns/<new id>/ under the job's output)." };
        var wait = new Option<bool>("--wait") { Description = "Follow the new job until it ends; exit 0 only if it completed." };
        var command = new Command("rerun", "Start a new job over the failed images of an ended job.") { id, failed, reasons, newId, output, wait };
        client.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(failed))
                throw new CliException("rerun needs --failed: a rerun classifies again the failed images of the job", ExitCodes.Usage);
            var codes = parse.GetValue(reasons)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            using var jobs = client.CreateClient(parse);
            var body = new { failed = true, reasons = codes, id = parse.GetValue(newId), output = parse.GetValue(output) };
            var answer = await jobs.SendAsync(HttpMethod.Post, $"api/jobs/{Uri.EscapeDataString(parse.GetValue(id)!)}/rerun", JsonContent.Create(body, options: JobsClient.Json), ct)
                ?? throw new JobsClientException("empty answer to the rerun");
            var jobId = answer.GetProperty("id").GetString()!;
            Console.Error.WriteLine($"submitted job {jobId} (rerun of {parse.GetValue(id)})");
            if (!parse.GetValue(wait))
            {
                Console.WriteLine(client.Json(parse) ? JsonSerializer.Serialize(answer, JobsClient.Json) : jobId);
                return ExitCodes.Success;
            }
            return await JobWatcher.WaitAsync(jobs, jobId, client.Json(parse), ct);
        });
        return command;
    }
}
