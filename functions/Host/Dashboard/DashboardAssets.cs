using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Serverless.Host.Dashboard;

/// <summary>
/// The dashboard's page shell: HTML, CSS and JS embedded in the assembly (<c>Dashboard/wwwroot</c>,
/// resources named <c>dashboard/...</c>), read once, served without a key (they hold no data) with
/// an ETag and a content security policy that allows nothing but this host's own scripts, styles
/// and API, and the thumbnails' blob URLs.
/// </summary>
internal static class DashboardAssets
{
    private const string Prefix = "dashboard/";

    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    /// <summary>The file names served (index.html, dashboard.js, ...).</summary>
    public static IEnumerable<string> Names => Assets.Keys;

    /// <summary>Serves <paramref name="name"/>: 200 (or 304 for a matching ETag), or a 404 problem.</summary>
    public static IResult Serve(string name, HttpContext context)
    {
        if (!Assets.TryGetValue(name, out var asset))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such dashboard file.", detail: $"The dashboard has no file '{name}'.");
        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        // Revalidate every time: a new host version serves new files under the same names.
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (name.EndsWith(".html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
        }
        if (context.Request.Headers.IfNoneMatch.Contains(asset.ETag))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(asset.Content, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var etag = $"\"{Convert.ToHexString(SHA256.HashData(content))[..16]}\"";
            assets[resource[Prefix.Length..]] = new Asset(content, ContentTypeOf(resource), etag);
        }
        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
