using Microsoft.DurableTask.Client;

namespace Serverless.Jobs;

/// <summary>A comma-separated list of runtime statuses from a query (<c>Running,Pending</c>), by name only.</summary>
public static class RuntimeStatuses
{
    /// <summary>The statuses, or null with <paramref name="error"/> saying which name is not one.</summary>
    public static IReadOnlyCollection<OrchestrationRuntimeStatus>? Parse(string? text, out string? error)
    {
        var statuses = new List<OrchestrationRuntimeStatus>();
        error = null;
        foreach (var name in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Enum.TryParse takes any number too ("7"): names only.
            if (char.IsAsciiDigit(name[0]) || name[0] == '-' || !Enum.TryParse<OrchestrationRuntimeStatus>(name, ignoreCase: true, out var parsed))
            {
                error = $"'{name}' is not one of {string.Join(", ", Enum.GetNames<OrchestrationRuntimeStatus>())}";
                return null;
            }
            statuses.Add(parsed);
        }
        return statuses;
    }
}
