namespace Serverless.Bench;

/// <summary>"--name value" options after the benchmark name; unknown options are an error.</summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public BenchArgs(IEnumerable<string> args)
    {
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var name = e.Current;
            if (!name.StartsWith("--", StringComparison.Ordinal) || !e.MoveNext())
            {
                throw new ArgumentException($"expected '--option value', got '{name}'.");
            }

            values[name[2..]] = e.Current;
        }
    }

    public string String(string name, string fallback)
    {
        used.Add(name);
        return values.TryGetValue(name, out var v) ? v : fallback;
    }

    public string? OptionalString(string name)
    {
        used.Add(name);
        return values.GetValueOrDefault(name);
    }

    public int Int(string name, int fallback) => int.Parse(String(name, fallback.ToString()), System.Globalization.CultureInfo.InvariantCulture);

    public int? OptionalInt(string name) => OptionalString(name) is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>Throws when an option was given that no benchmark asked for (a typo must not go unnoticed).</summary>
    public void RejectUnknown()
    {
        var unknown = values.Keys.Where(k => !used.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}
