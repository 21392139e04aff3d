using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Serverless.BatchInference.Contracts;

namespace Serverless.Cli;

/// <summary>
/// `serverless priority &lt;id&gt; high|normal|low`: raises or lowers a running job (the master key, or an
/// admin key of the job's tenant); its waiting and running pages apply it from their next call to the scheduler.
/// </summary>
internal static class PriorityCommand
{
    public static Command Create()
    {
        var client = new ClientOptions();
        var id = new Argument<string>("id") { Description = "The running job." };
        var priority = new Argument<string>("priority") { Description = "high, normal or low." };
        var command = new Command("priority", "Change a running job's priority (admin).") { id, priority };
        client.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var name = JobPriority.Parse(parse.GetValue(priority)) ?? throw new CliException(JobPriority.Error(parse.GetValue(priority)), ExitCodes.Usage);
            var jobId = parse.GetValue(id)!;
            using var jobs = client.CreateClient(parse);
            var answer = await jobs.SendAsync(HttpMethod.Post, $"api/jobs/{Uri.EscapeDataString(jobId)}/priority",
                JsonContent.Create(new { priority = name }, options: JobsClient.Json), ct) ?? throw new JobsClientException("empty answer to the priority change");
            Console.WriteLine(client.Json(parse) ? JsonSerializer.Serialize(answer, JobsClient.Json) : $"job {jobId} priority={answer.GetProperty("priority").GetString()}");
            return ExitCodes.Success;
        });
        return command;
    }
}
