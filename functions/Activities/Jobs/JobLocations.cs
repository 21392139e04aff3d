using Serverless.Storage;

namespace Serverless.Activities.Jobs;

/// <summary>
/// The checks every job location goes through before the host reads or writes there, whoever
/// asks (a submission, the dashboard's thumbnails): it parses as a location, and a local path lies
/// inside the configured root (<see cref="LocalRoot"/>). Cloud locations are not paths on this host.
/// </summary>
public sealed class JobLocations(LocalRoot localRoot)
{
    /// <summary>The parsed location, or why it may not be used.</summary>
    public (SourceUri? Location, string? Error) Check(string location)
    {
        if (!SourceUri.TryParse(location, out var parsed, out var error))
            return (null, error);
        if (parsed.Kind == StorageKind.Local && !localRoot.Contains(parsed.LocalPath))
            return (null, $"local path '{parsed.Original}' is outside the allowed root ({LocalRoot.Setting})");
        return (parsed, null);
    }
}
