using System.Text.Json;

namespace Serverless.Storage.Results;

/// <summary>A manifest's passthrough value (<see cref="PredictionRow.Columns"/>) as a CSV field or Parquet string column holds it.</summary>
public static class ColumnText
{
    /// <summary>A JSON string's text, null for null, anything else its JSON text (<c>3</c>, <c>true</c>, <c>[1,2]</c>).</summary>
    public static string? Of(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };
}
