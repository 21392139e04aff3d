using System.Diagnostics;
using OpenTelemetry;
using Serverless.Jobs.Telemetry;

namespace Serverless.Host.Telemetry;

/// <summary>
/// Adds the job id (and page index) to the spans DTFx makes for a job's orchestrations,
/// sub-orchestrations and activities, read from their instance id: a page's id names its job
/// (<c>~job:page:000003</c>). Runs before the exporters, when the span ends and its tags are set.
/// </summary>
internal sealed class JobSpanProcessor : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data) => JobTracing.TagJob(data);
}
