using System.Net;
using Serverless.EndToEnd.Tests.Support;
using SkiaSharp;

namespace Serverless.EndToEnd.Tests.Dashboard;

/// <summary>The dashboard's routes over HTTP: the shell without a key, the data only with one, problem details for bad input.</summary>
public sealed partial class DashboardTests
{
    [Fact]
    public async Task The_page_shell_needs_no_key_and_holds_no_data_while_every_data_route_needs_a_key()
    {
        var run = await RunAsync();
        using var anonymous = new JobsHttp(run.Host.BaseUrl, key: null);
        using (var shell = await anonymous.GetAsync("dashboard"))
        {
            var html = await shell.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, shell.StatusCode);
            Assert.StartsWith("text/html", shell.Content.Headers.ContentType?.ToString());
            Assert.Contains("script-src 'self'", shell.Headers.GetValues("Content-Security-Policy").Single());
            Assert.DoesNotContain(run.JobId, html);
        }
        foreach (var file in new[] { "dashboard/dashboard.js", "dashboard/charts.js", "dashboard/dom.js", "dashboard/priority.js", "dashboard/submit.js", "dashboard/dashboard.css" })
        {
            using var asset = await anonymous.GetAsync(file);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{file}: {(int)asset.StatusCode}");
            using var again = new HttpRequestMessage(HttpMethod.Get, file) { Headers = { { "If-None-Match", asset.Headers.ETag!.Tag } } };
            using var cached = await anonymous.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, cached.StatusCode);
        }
        await AssertProblemAsync(await anonymous.GetAsync("dashboard/no-such-file.js"), HttpStatusCode.NotFound);

        foreach (var path in new[] { "api/dashboard/jobs", $"api/dashboard/jobs/{run.JobId}/chart", $"api/dashboard/jobs/{run.JobId}/samples", $"api/dashboard/jobs/{run.JobId}/thumbnail?key={run.Keys[0]}", "metrics" })
            await AssertProblemAsync(await anonymous.GetAsync(path), HttpStatusCode.Unauthorized);
        using var wrong = new JobsHttp(run.Host.BaseUrl, key: "wrong");
        await AssertProblemAsync(await wrong.GetAsync("api/dashboard/jobs"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_job_list_is_newest_first_filtered_by_state_and_paged()
    {
        var run = await RunAsync();
        using var jobs = new JobsHttp(run.Host.BaseUrl, JobStack.FunctionKey);
        var all = await ListAsync(jobs, "api/dashboard/jobs?state=Completed");
        var ids = all.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()).ToList();
        Assert.True(ids.IndexOf(run.LaterJobId) is >= 0 and var later && later < ids.IndexOf(run.JobId), string.Join(", ", ids));
        var main = all.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("id").GetString() == run.JobId);
        Assert.Equal($"s3://{JobStack.Bucket}/{DashboardRun.SourcePrefix}", main.GetProperty("source").GetString());
        // As named relative to the models root, never the host's path (the job stores it resolved).
        Assert.Equal("models/dominant-color.onnx", main.GetProperty("model").GetString());
        Assert.Equal(run.Keys.Count, main.GetProperty("done").GetInt64());
        Assert.Equal(run.BadKeys.Count, main.GetProperty("failed").GetInt64());
        Assert.Equal(run.Keys.Count, main.GetProperty("total").GetInt64());

        var running = await ListAsync(jobs, "api/dashboard/jobs?state=Failed");
        Assert.DoesNotContain(running.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() is "dashboard-job" or "dashboard-later");
        var first = await ListAsync(jobs, "api/dashboard/jobs?state=Completed&pageSize=1");
        var second = await ListAsync(jobs, "api/dashboard/jobs?state=Completed&pageSize=1&page=1");
        Assert.True(first.GetProperty("hasMore").GetBoolean());
        Assert.NotEqual(first.GetProperty("jobs")[0].GetProperty("id").GetString(), second.GetProperty("jobs")[0].GetProperty("id").GetString());

        foreach (var bad in new[] { "state=Sleeping", "state=99", "page=-1", "page=x", "pageSize=0", "pageSize=1000" })
            await AssertProblemAsync(await jobs.GetAsync($"api/dashboard/jobs?{bad}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_rate_chart_is_the_servers_svg_line_over_the_jobs_progress_samples()
    {
        var run = await RunAsync();
        using var jobs = new JobsHttp(run.Host.BaseUrl, JobStack.FunctionKey);
        using var chart = await jobs.GetAsync($"api/dashboard/jobs/{run.JobId}/chart");
        var svg = await chart.Content.ReadAsStringAsync();
        Assert.True(chart.StatusCode == HttpStatusCode.OK, $"{(int)chart.StatusCode} {svg}");
        Assert.Equal("image/svg+xml", chart.Content.Headers.ContentType?.MediaType);
        var document = System.Xml.Linq.XDocument.Parse(svg);
        var line = document.Descendants().Single(e => e.Name.LocalName == "polyline" && (string?)e.Attribute("class") == "line");
        Assert.True(((string)line.Attribute("points")!).Split(' ').Length >= 4, svg);
        Assert.Equal("Images per second over time", (string?)document.Root!.Attribute("aria-label"));

        foreach (var job in new[] { "no-such-job", "~dashboard-job:page:000000" })
            await AssertProblemAsync(await jobs.GetAsync($"api/dashboard/jobs/{Uri.EscapeDataString(job)}/chart"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Thumbnails_are_scaled_down_images_of_the_jobs_sample_keys_only()
    {
        var run = await RunAsync();
        using var jobs = new JobsHttp(run.Host.BaseUrl, JobStack.FunctionKey);
        using var samplesAnswer = await jobs.GetAsync($"api/dashboard/jobs/{run.JobId}/samples");
        var samples = Json(await samplesAnswer.Content.ReadAsStringAsync());
        var classified = samples.GetProperty("classified").EnumerateArray().Select(r => r.GetProperty("key").GetString()!).ToList();
        Assert.NotEmpty(classified);
        Assert.All(classified, key => Assert.Contains(key, run.Keys));
        Assert.Equal(run.BadKeys.Keys.Order(), samples.GetProperty("failed").EnumerateArray().Select(r => r.GetProperty("key").GetString()!).Order());

        var photo = classified.First(k => k.EndsWith(".JPEG", StringComparison.OrdinalIgnoreCase));
        using var thumbnail = await jobs.GetAsync($"api/dashboard/jobs/{run.JobId}/thumbnail?size=64&key={Uri.EscapeDataString(photo)}");
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        using var image = SKBitmap.Decode(await thumbnail.Content.ReadAsByteArrayAsync());
        Assert.Equal(64, Math.Max(image.Width, image.Height));

        // A key the job never listed, one of its source it did not sample, another job's, or a path out of the source: 404.
        var unsampled = run.Keys.Except(classified).Except(run.BadKeys.Keys).FirstOrDefault() ?? "dashboard/unsampled.png";
        foreach (var key in new[] { "dashboard/../imagenet/x.JPEG", "/etc/passwd", unsampled, $"{JobStack.PhotosPrefix}n01440764_tench.JPEG" })
            await AssertProblemAsync(await jobs.GetAsync($"api/dashboard/jobs/{run.JobId}/thumbnail?key={Uri.EscapeDataString(key)}"), HttpStatusCode.NotFound);
        // A failed image cannot be drawn: its reason, not a 500.
        var text = run.BadKeys.Single(p => p.Value == "unsupported_format").Key;
        var problem = await AssertProblemAsync(await jobs.GetAsync($"api/dashboard/jobs/{run.JobId}/thumbnail?key={Uri.EscapeDataString(text)}"), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("unsupported_format", problem);

        foreach (var bad in new[] { "", "?key=", $"?key={photo}&size=0", $"?key={photo}&size=99999", $"?key={photo}&size=abc" })
            await AssertProblemAsync(await jobs.GetAsync($"api/dashboard/jobs/{run.JobId}/thumbnail{bad}"), HttpStatusCode.BadRequest);
        foreach (var job in new[] { "no-such-job", "a'b", "~dashboard-job:page:000000", new string('x', 300) })
        {
            await AssertProblemAsync(await jobs.GetAsync($"api/dashboard/jobs/{Uri.EscapeDataString(job)}/samples"), HttpStatusCode.NotFound);
            await AssertProblemAsync(await jobs.GetAsync($"api/dashboard/jobs/{Uri.EscapeDataString(job)}/thumbnail?key={photo}"), HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Every_listed_route_answers_odd_input_with_problem_details_and_never_a_500()
    {
        var run = await RunAsync();
        using var jobs = new JobsHttp(run.Host.BaseUrl, JobStack.FunctionKey);
        string[] odd = ["", "0", "-1", "99999999999999999999", "1e3", " ", "'", "\"", "%00", "../..", "..%2F..", "a/b", "~x:page:1", "\u00e9\u6f22", new string('z', 2000), "<script>", "null", "true"];
        var answered = 0;
        foreach (var route in Serverless.Host.Dashboard.DashboardRoutes.All)
        {
            foreach (var value in odd)
            {
                var escaped = Uri.EscapeDataString(value);
                var path = route.Pattern.Replace("{id}", value.Length == 0 ? "x" : escaped).Replace("{file}", value.Length == 0 ? "x" : escaped);
                foreach (var query in new[] { "", $"?state={escaped}", $"?page={escaped}&pageSize={escaped}", $"?key={escaped}&size={escaped}", $"?key={Uri.EscapeDataString(run.Keys[0])}&size={escaped}" })
                {
                    using var response = await jobs.GetAsync(path + query);
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True((int)response.StatusCode < 500, $"{route.Pattern} as {path}{query}: {(int)response.StatusCode} {text}");
                    if ((int)response.StatusCode >= 400)
                        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{path}{query}: {(int)response.StatusCode} {response.Content.Headers.ContentType}");
                    answered++;
                }
            }
        }
        Assert.Equal(Serverless.Host.Dashboard.DashboardRoutes.All.Count * odd.Length * 5, answered);
    }

    private static async Task<System.Text.Json.JsonElement> ListAsync(JobsHttp jobs, string path)
    {
        using var response = await jobs.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return Json(text);
    }

    /// <summary>Asserts a problem-details answer with <paramref name="status"/>; returns its body.</summary>
    private static async Task<string> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {text}");
            Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType?.ToString());
            return text;
        }
    }
}
