namespace Serverless.Host.Hosting;

/// <summary>What a host process runs: the HTTP API, the workers, or both (the default, like `func start`).</summary>
public enum HostRole
{
    All,
    Api,
    Worker,
}

internal static class HostRoleExtensions
{
    public static bool RunsApi(this HostRole role) => role is HostRole.All or HostRole.Api;
    public static bool RunsWorker(this HostRole role) => role is HostRole.All or HostRole.Worker;
}
