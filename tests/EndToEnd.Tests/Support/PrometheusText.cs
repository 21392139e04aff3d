using System.Globalization;
using System.Text.RegularExpressions;

namespace Serverless.EndToEnd.Tests.Support;

/// <summary>The samples of a Prometheus text exposition (what /metrics answers), parsed for assertions.</summary>
public sealed partial class PrometheusText
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> samples = [];

    public PrometheusText(string text)
    {
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('#'))
                continue;
            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a Prometheus sample line: {line}");
            var labels = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            samples.Add((match.Groups["name"].Value, labels, double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>
    /// Scrapes <c>/metrics</c> with a function key (as a Prometheus scrape with <c>authorization: { credentials: &lt;key&gt; }</c>
    /// sends it) every 500 ms until <paramref name="ready"/> holds; past <paramref name="timeout"/>, fails with what
    /// <paramref name="describe"/> makes of the last text.
    /// </summary>
    public static async Task<PrometheusText> ScrapeUntilAsync(Uri host, TimeSpan timeout, Func<PrometheusText, bool> ready, Func<string, Task<string>> describe)
    {
        using var http = new HttpClient { BaseAddress = host };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", JobStack.FunctionKey);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await http.GetAsync("metrics");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.OK, $"/metrics: {(int)response.StatusCode} {text}");
            var metrics = new PrometheusText(text);
            if (ready(metrics))
                return metrics;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException(await describe(text));
            await Task.Delay(500);
        }
    }

    /// <summary>The samples named <paramref name="name"/> whose labels include every one of <paramref name="labels"/>.</summary>
    public IReadOnlyList<double> Values(string name, params (string Label, string Value)[] labels) =>
        samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value)).Select(s => s.Value).ToList();

    /// <summary>The single sample named <paramref name="name"/> with <paramref name="labels"/>; fails when there is none or several.</summary>
    public double Value(string name, params (string Label, string Value)[] labels) => Assert.Single(Values(name, labels));

    /// <summary>The values of a label over the samples named <paramref name="name"/>.</summary>
    public IReadOnlyList<string> LabelValues(string name, string label) =>
        samples.Where(s => s.Name == name && s.Labels.ContainsKey(label)).Select(s => s.Labels[label]).Distinct().ToList();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex LabelPair();
}
