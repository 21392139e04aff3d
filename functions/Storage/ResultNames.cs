namespace Serverless.Storage;

/// <summary>Checks names inside a result store or source: relative, '/'-separated, no '..'.</summary>
internal static class ResultNames
{
    public static string Validate(string name, string paramName = "name")
    {
        if (string.IsNullOrWhiteSpace(name) || name.StartsWith('/') || name.EndsWith('/') || name.Contains('\\')
            || name.Split('/').Any(s => s is "" or "." or ".."))
        {
            throw new ArgumentException($"'{name}' is not a relative '/'-separated name without '.' or '..' segments.", paramName);
        }

        return name;
    }

    public static string ContentType(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".jsonl" => "application/x-ndjson",
        ".json" => "application/json",
        ".csv" => "text/csv",
        ".txt" => "text/plain",
        _ => "application/octet-stream",
    };
}
