namespace Serverless.Api;

/// <summary>
/// What a configured key must be: at least <see cref="MinimumLength"/> characters and not a
/// placeholder or a sample value this repository ships (in infra/ overlays, README, docs), which
/// an attacker would try first. Generated keys (the task hub's keys blob) are 40+ random characters.
/// </summary>
public static class KeyPolicy
{
    /// <summary>The fewest characters a configured key may have (16 random base64 characters: 96 bits).</summary>
    public const int MinimumLength = 16;

    /// <summary>Values shipped as samples, refused whatever their length (compared ignoring case).</summary>
    public static IReadOnlyList<string> KnownSamples { get; } =
    [
        "dev-master-key-change-me",
        "dev-function-key-change-me",
        "minio-dev-secret-change-me",
        "master",
        "function",
    ];

    // Words that mark a value as one to be replaced, wherever they appear in it.
    private static readonly string[] PlaceholderMarks = ["replace_me", "replace-me", "replaceme", "change-me", "changeme", "change_me", "placeholder", "your-key", "your_key", "<", ">"];

    /// <summary>Why <paramref name="key"/>, the value of <paramref name="setting"/>, is refused; null when it is acceptable.</summary>
    public static string? Problem(string setting, string key)
    {
        if (KnownSamples.Any(s => string.Equals(s, key, StringComparison.OrdinalIgnoreCase)) ||
            PlaceholderMarks.Any(m => key.Contains(m, StringComparison.OrdinalIgnoreCase)))
        {
            return $"{setting} holds a placeholder or sample value, not a key: set a random one (e.g. `openssl rand -base64 32`), or unset it to have the host generate keys in the task hub's storage.";
        }

        if (key.Length < MinimumLength)
        {
            return $"{setting} is {key.Length} characters long; a key needs at least {MinimumLength} (e.g. `openssl rand -base64 32`).";
        }

        return null;
    }
}
