using System.Text.Json;
using System.Text.Json.Serialization;

namespace Serverless.Orchestrations.Core;

/// <summary>
/// The one set of serializer options for everything the runtime persists: history events,
/// messages, instance rows. Backends use it so that every store reads what another wrote.
/// </summary>
public static class HistoryJson
{
    /// <summary>Options: web casing, enums as strings, nulls omitted.</summary>
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Serializes any runtime record (history event, message, state) to JSON.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads back what <see cref="Serialize{T}"/> wrote.</summary>
    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"Null {typeof(T).Name} in '{json}'.");

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            AllowOutOfOrderMetadataProperties = true,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
