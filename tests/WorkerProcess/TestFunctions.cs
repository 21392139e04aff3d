using System.Diagnostics;
using Azure.Data.Tables;
using Serverless.Orchestrations;

namespace Serverless.WorkerProcess;

/// <summary>
/// The orchestrators and activities the crash tests run. Every activity execution is recorded
/// as a row of the runs table (partition = task input, row = a fresh id, plus the worker), so a
/// test can tell how often each ran and where.
/// </summary>
internal static class TestFunctions
{
    public static string RunsTableName(string hubName) => hubName + "Runs";

    /// <summary>What <c>Record</c> returns for input <paramref name="i"/>; tests compute it too.</summary>
    public static int ResultOf(int i) => i * 1000 + 7;

    public static void Register(DurableTaskRegistry registry, TableClient runs, WorkerSettings settings) => registry
        .AddActivityFunc<int, int>("Record", async (context, i) =>
        {
            await Task.Delay(settings.ActivityDelay, context.CancellationToken);
            await RecordAsync(runs, i.ToString("D4"), settings.WorkerId, context.DequeueCount);
            return ResultOf(i);
        })
        .AddActivityFunc<int, int>("KillsItsProcess", async (context, _) =>
        {
            await RecordAsync(runs, "kill", settings.WorkerId, context.DequeueCount);
            Console.Out.WriteLine($"worker {settings.WorkerId}: killing itself (delivery {context.DequeueCount})");
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
            return -1;
        })
        .AddOrchestratorFunc<int, int[]>("FanOut", async (context, n) =>
            await Task.WhenAll(Enumerable.Range(0, n).Select(i => context.CallActivityAsync<int>("Record", i))))
        .AddOrchestratorFunc<object?, string>("SurvivesPoison", async (context, _) =>
        {
            try
            {
                return "completed: " + await context.CallActivityAsync<int>("KillsItsProcess", 0);
            }
            catch (TaskFailedException failed)
            {
                return failed.FailureDetails.ErrorType;
            }
        });

    private static Task RecordAsync(TableClient runs, string partition, string workerId, int dequeueCount) =>
        runs.AddEntityAsync(new TableEntity(partition, Guid.NewGuid().ToString("N"))
        {
            ["Worker"] = workerId,
            ["DequeueCount"] = dequeueCount,
        });
}
