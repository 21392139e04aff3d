using System.Text.Json;

namespace Serverless.Orchestrations;

/// <summary>
/// How inputs, outputs, results, event data and custom status become strings and back:
/// System.Text.Json with web defaults (camelCase, case-insensitive reads).
/// </summary>
public sealed class DataConverter
{
    /// <summary>The converter the runtime uses unless told otherwise.</summary>
    public static DataConverter Default { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    private readonly JsonSerializerOptions _options;

    /// <summary>Creates a converter with these serializer options.</summary>
    public DataConverter(JsonSerializerOptions options) => _options = options;

    /// <summary>Serializes a value; null stays null.</summary>
    public string? Serialize(object? value) => value is null ? null : JsonSerializer.Serialize(value, value.GetType(), _options);

    /// <summary>Reads a value of <paramref name="type"/>; null or empty text is the type's default.</summary>
    public object? Deserialize(string? data, Type type) =>
        string.IsNullOrEmpty(data) ? (type.IsValueType ? Activator.CreateInstance(type) : null) : JsonSerializer.Deserialize(data, type, _options);

    /// <summary>Reads a value of <typeparamref name="T"/>.</summary>
    public T? Deserialize<T>(string? data) => (T?)Deserialize(data, typeof(T));
}
