using Serverless.TestSupport;

namespace Serverless.App.Tests;

/// <summary>
/// <c>Serverless.App.dll check-keys &lt;folder&gt;</c>, the functions-host overlay's init container:
/// the Functions host accepts any key, so a placeholder or short one in the mounted keys stops the pod.
/// </summary>
public sealed class FunctionsKeyCheckTests
{
    [Fact]
    public void The_overlays_placeholder_keys_are_refused_naming_each_key()
    {
        using var folder = new TempDir("functions-keys");
        File.WriteAllText(Path.Combine(folder.Path, "host.master"), "REPLACE_ME");
        File.WriteAllText(Path.Combine(folder.Path, "host.function.default"), "short");
        File.WriteAllText(Path.Combine(folder.Path, "host.systemKey.durabletask_extension"), Convert.ToHexString(Guid.NewGuid().ToByteArray()) + "\n");
        using var error = new StringWriter();

        Assert.Equal(1, FunctionsKeyCheck.Run(folder.Path, error));

        var problems = FunctionsKeyCheck.Problems(folder.Path);
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("host.master holds a placeholder", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("host.function.default is 5 characters long", StringComparison.Ordinal));
        Assert.Contains("check-keys: host.master", error.ToString());
    }

    [Fact]
    public void Real_keys_pass_and_the_secret_volumes_own_entries_are_not_keys()
    {
        using var folder = new TempDir("functions-keys");
        foreach (var name in new[] { "host.master", "host.function.default" })
            File.WriteAllText(Path.Combine(folder.Path, name), Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        // A mounted Secret's bookkeeping ('..data' and a timestamped folder), never read as keys.
        File.WriteAllText(Path.Combine(folder.Path, "..data"), "x");
        Directory.CreateDirectory(Path.Combine(folder.Path, "..2026_12_05"));

        Assert.Empty(FunctionsKeyCheck.Problems(folder.Path));
        Assert.Equal(0, FunctionsKeyCheck.Run(folder.Path, TextWriter.Null));
    }

    [Fact]
    public void No_keys_at_all_is_refused()
    {
        using var folder = new TempDir("functions-keys");

        Assert.Contains("holds no key", Assert.Single(FunctionsKeyCheck.Problems(folder.Path)));
        Assert.Contains("does not exist", Assert.Single(FunctionsKeyCheck.Problems(Path.Combine(folder.Path, "absent"))));
    }
}
