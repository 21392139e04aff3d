using Serverless.BatchInference.Contracts;
using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// Every location a job names (source, output, model), however it arrives (api/jobs, startNew, a
/// dropped job file: all go through <see cref="Serverless.Jobs.JobSubmission"/>), refuses hostile text
/// with an error by field, never an exception: NUL and other control characters raw or
/// percent-encoded, overlong and invalid UTF-8, look-alike dots and slashes, 100 KB.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class JobSubmissionHostileTests(TaskHubHost hub)
{
    public static TheoryData<string> Hostile() =>
    [
        "\0", "%00", "a%00b", "%0A", "\n", "%01%1F", "%7F", "%C0%AE%C0%AE%2F", "%FF%FE", "%ED%A0%80", "\uFF0E\uFF0E\uFF0F", "..\u2215..\u2215etc",
        "\u2025/x", "%", new string('a', 100 * 1024),
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task A_hostile_source_output_or_model_is_an_error_by_field_not_an_exception(string value)
    {
        foreach (var location in new[] { value, "file:///" + value, "file:///tmp/" + value, "s3://photos/" + value, "azblob://photos/" + value })
        {
            // The other fields name a model that is not there: nothing here may start a job.
            foreach (var (field, request) in new[]
                     {
                         ("source", new JobRequest { Source = location, Model = "missing.onnx", Output = "s3://photos/out/" }),
                         ("output", new JobRequest { Source = "s3://photos/in/", Model = "missing.onnx", Output = location }),
                         ("model", new JobRequest { Source = "s3://photos/in/", Model = location, Output = "s3://photos/out/" }),
                     })
            {
                var outcome = await hub.Submission.SubmitAsync(hub.Client, request, CancellationToken.None);
                Assert.Null(outcome.JobId);
                // Control characters (raw or percent-encoded in a file URI) and 100 KB are refused in the field itself.
                if (field == "model" || location.Trim().Any(char.IsControl) || (location.StartsWith("file:", StringComparison.Ordinal) && Uri.UnescapeDataString(location).Any(char.IsControl)) || location.Length > 4096)
                    Assert.True(outcome.Errors.ContainsKey(field), $"{Printable(location)} as {field}: {string.Join("; ", outcome.Errors.Select(e => $"{e.Key}: {Printable(e.Value)}"))}");
            }
        }
    }

    private static string Printable(string text) => text.Length > 80 ? text[..80] + "…" : text.Replace("\0", "\\0", StringComparison.Ordinal);
}
