namespace Serverless.EndToEnd.Tests.Cli;

/// <summary>What every failing client command must show: exactly one line about it on stderr, and no stack trace.</summary>
internal static class CliAssert
{
    /// <summary>
    /// Asserts that stderr's only line (or, with <paramref name="afterProgress"/>, its last one,
    /// after progress lines) starts with <paramref name="prefix"/> and contains <paramref name="expected"/>.
    /// </summary>
    public static string OneLine(string stderr, string expected, string prefix = "error: ", bool afterProgress = false)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length > 0, "nothing on stderr");
        Assert.True(afterProgress || lines.Length == 1, $"one line expected on stderr:\n{stderr}");
        Assert.DoesNotContain(" at Serverless.", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("Exception:", stderr);
        Assert.Single(lines, l => l.StartsWith("error: ", StringComparison.Ordinal) || l.StartsWith("interrupted", StringComparison.Ordinal) || l.StartsWith("warning: ", StringComparison.Ordinal));
        var last = lines[^1];
        Assert.True(last.StartsWith(prefix, StringComparison.Ordinal) && last.Contains(expected, StringComparison.Ordinal), $"expected '{prefix}...{expected}...', stderr:\n{stderr}");
        return last;
    }
}
