using Microsoft.Extensions.Configuration;
using Serverless.Inference;

namespace Serverless.Host.Security;

/// <summary>
/// host.json's / the environment's <c>http</c> section: the <c>authLevel</c> of each endpoint group
/// (<c>http:authLevels:jobs</c>, <c>http:authLevels:classify</c>; default <c>function</c>) and the
/// request body limits (<c>http:maxRequestBodyBytes:jobs</c>, <c>:classify</c>, <c>:default</c>).
/// </summary>
public sealed record HttpSecurityOptions(AuthLevel Jobs, AuthLevel Classify, long JobsBodyBytes, long ClassifyBodyBytes, long DefaultBodyBytes)
{
    public const long OneMiB = 1024 * 1024;

    /// <summary>The largest of the body limits (Kestrel's own ceiling).</summary>
    public long LargestBodyBytes => Math.Max(DefaultBodyBytes, Math.Max(JobsBodyBytes, ClassifyBodyBytes));

    public static HttpSecurityOptions From(IConfiguration configuration, InferenceOptions inference)
    {
        var http = configuration.GetSection("http");
        return new HttpSecurityOptions(
            Level(http, "jobs"),
            Level(http, "classify"),
            Bytes(http, "jobs", OneMiB),
            Bytes(http, "classify", inference.MaxEncodedBytes),
            Bytes(http, "default", OneMiB));
    }

    private static AuthLevel Level(IConfigurationSection http, string group) => http[$"authLevels:{group}"]?.Trim().ToLowerInvariant() switch
    {
        null or "" or "function" => AuthLevel.Function,
        "anonymous" => AuthLevel.Anonymous,
        "admin" => AuthLevel.Admin,
        var other => throw new InvalidOperationException($"http:authLevels:{group} '{other}' is not one of anonymous, function, admin."),
    };

    private static long Bytes(IConfigurationSection http, string group, long fallback)
    {
        var value = http.GetValue<long?>($"maxRequestBodyBytes:{group}") ?? fallback;
        return value > 0 ? value : throw new InvalidOperationException($"http:maxRequestBodyBytes:{group} must be positive.");
    }
}
