using Serverless.Orchestrations;

namespace Serverless.Bench;

/// <summary>
/// A job shaped like the batch orchestrator (orchestrations/BatchInference): the parent lists a
/// page through an activity, runs each page as a sub-orchestration (two pages in flight), and
/// continues as new every <see cref="JobState.PagesPerExecution"/> pages; a page fans out its
/// activities (at most <see cref="JobState.PageInFlight"/> at once) and returns their count.
/// </summary>
internal static class PagedJob
{
    public const string Parent = "BenchJob";
    public const string Page = "BenchPage";
    public const string List = "BenchList";
    public const string Work = "BenchWork";

    /// <summary>The parent's input, carried across ContinueAsNew.</summary>
    public sealed record JobState(long Total, int PageSize, int PagesPerExecution, int PagesInFlight, int PageInFlight, long NextPage, long Done);

    public sealed record PageInput(long Page, int Count, int InFlight);

    public static DurableTaskRegistry Register(DurableTaskRegistry registry, Action onWork) => registry
        .AddActivityFunc<int, int>(List, (_, count) => count)
        .AddActivityFunc<int, int>(Work, (_, x) =>
        {
            onWork();
            return 1;
        })
        .AddOrchestratorFunc<PageInput, int>(Page, RunPageAsync)
        .AddOrchestratorFunc<JobState, long>(Parent, RunParentAsync);

    private static async Task<long> RunParentAsync(TaskOrchestrationContext context, JobState state)
    {
        var pages = (state.Total + state.PageSize - 1) / state.PageSize;
        var inFlight = new List<Task<int>>();
        var startedThisExecution = 0;
        var next = state.NextPage;
        var done = state.Done;
        while ((next < pages && startedThisExecution < state.PagesPerExecution) || inFlight.Count > 0)
        {
            if (next < pages && startedThisExecution < state.PagesPerExecution && inFlight.Count < state.PagesInFlight)
            {
                var count = (int)Math.Min(state.PageSize, state.Total - (next * state.PageSize));
                count = await context.CallActivityAsync<int>(List, count);
                inFlight.Add(context.CallSubOrchestratorAsync<int>(Page, new PageInput(next, count, state.PageInFlight), new SubOrchestrationOptions($"{context.InstanceId}:page:{next:D7}")));
                next++;
                startedThisExecution++;
                continue;
            }

            var finished = await Task.WhenAny(inFlight);
            inFlight.Remove(finished);
            done += await finished;
            context.SetCustomStatus(new { done });
        }

        if (next < pages)
        {
            context.ContinueAsNew(state with { NextPage = next, Done = done });
            return -1;
        }

        return done;
    }

    private static async Task<int> RunPageAsync(TaskOrchestrationContext context, PageInput input)
    {
        var running = new List<Task<int>>();
        var next = 0;
        var sum = 0;
        while (next < input.Count || running.Count > 0)
        {
            while (next < input.Count && running.Count < input.InFlight)
            {
                running.Add(context.CallActivityAsync<int>(Work, next++));
            }

            var finished = await Task.WhenAny(running);
            running.Remove(finished);
            sum += await finished;
        }

        return sum;
    }
}
