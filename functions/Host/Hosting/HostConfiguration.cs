using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Serverless.Host.Hosting;

/// <summary>
/// Configuration the way Azure Functions reads it: host.json (its own keys, e.g.
/// <c>extensions:durableTask:hubName</c>), then local.settings.json's <c>Values</c>, then the
/// environment, which wins.
/// </summary>
internal static class HostConfiguration
{
    public static void Add(IConfigurationManager configuration, string? hostJsonPath)
    {
        configuration.AddInMemoryCollection(Logging.LoggingDefaults.Settings);
        var hostJson = hostJsonPath ?? FindFile("host.json");
        if (hostJson is not null)
            configuration.AddJsonFile(hostJson, optional: false, reloadOnChange: false);
        if (FindFile("local.settings.json") is { } localSettings)
            configuration.AddInMemoryCollection(ReadValues(localSettings));
        configuration.AddEnvironmentVariables();
    }

    /// <summary>Looks in the working directory first, then beside the executable.</summary>
    private static string? FindFile(string name) =>
        new[] { Path.Combine(Directory.GetCurrentDirectory(), name), Path.Combine(AppContext.BaseDirectory, name) }.FirstOrDefault(File.Exists);

    private static IEnumerable<KeyValuePair<string, string?>> ReadValues(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        if (!document.RootElement.TryGetProperty("Values", out var values) || values.ValueKind != JsonValueKind.Object)
            return [];
        return values.EnumerateObject().Select(p => new KeyValuePair<string, string?>(p.Name, p.Value.ToString())).ToArray();
    }
}
