using Serverless.Api;

namespace Serverless.App;

/// <summary>
/// The Functions host accepts any key it is given. In Kubernetes mode
/// (<c>AzureWebJobsSecretStorageType=kubernetes</c>) it reads them from files, one per key
/// (<c>host.master</c>, <c>host.function.default</c>, ...): the overlay's init container runs
/// <c>Serverless.App.dll check-keys &lt;folder&gt;</c> first, so a placeholder or short key
/// (<see cref="KeyPolicy"/>, the self-host's rule) keeps the pod from starting, naming the key.
/// </summary>
public static class FunctionsKeyCheck
{
    /// <summary>The verb <c>Program</c> answers instead of starting the worker.</summary>
    public const string Verb = "check-keys";

    /// <summary>Why each key file in <paramref name="folder"/> is refused; empty when every one is a key (and there is at least one).</summary>
    public static IReadOnlyList<string> Problems(string folder)
    {
        if (!Directory.Exists(folder))
            return [$"the keys folder {folder} does not exist"];
        // A mounted Secret also holds '..data' links and a timestamped folder: only its key files count.
        var files = Directory.GetFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            return [$"the keys folder {folder} holds no key"];
        return files.Select(f => KeyPolicy.Problem(Path.GetFileName(f), File.ReadAllText(f).Trim())).OfType<string>().ToList();
    }

    /// <summary>Checks <paramref name="folder"/>: exit code 0 when every key may be used, 1 (each problem on <paramref name="error"/>) when not.</summary>
    public static int Run(string folder, TextWriter error)
    {
        var problems = Problems(folder);
        foreach (var problem in problems)
            error.WriteLine($"check-keys: {problem}");
        return problems.Count == 0 ? 0 : 1;
    }
}
