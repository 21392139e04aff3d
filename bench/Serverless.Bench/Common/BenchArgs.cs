namespace Serverless.Bench;

/// <summary>"--name value" options after the benchmark name; unknown options are an error.</summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public BenchArgs(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var name = list[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"expected '--option value' or '--flag', got '{name}'.");
            }

            // A flag (--int8) is an option without a value: "true".
            var hasValue = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal);
            values[name[2..]] = hasValue ? list[++i] : "true";
        }
    }

    /// <summary>Whether the flag was given (<c>--int8</c>, or <c>--int8 true|false</c>).</summary>
    public bool Flag(string name) => bool.Parse(String(name, "false"));

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
