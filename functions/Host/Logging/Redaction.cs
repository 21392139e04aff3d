using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;

namespace Serverless.Host.Logging;

/// <summary>Keys out of what is logged: the <c>code</c> query parameter (a function or master key) becomes <c>***</c>.</summary>
public static class Redaction
{
    public const string Mask = "***";

    public static string Query(QueryString query)
    {
        if (!query.HasValue)
            return string.Empty;
        var parameters = QueryHelpers.ParseQuery(query.Value);
        var builder = new QueryBuilder();
        foreach (var (name, values) in parameters)
            foreach (var value in values)
                builder.Add(name, string.Equals(name, Security.KeyAuthorizationMiddleware.QueryName, StringComparison.OrdinalIgnoreCase) ? Mask : value ?? "");
        return builder.ToQueryString().Value ?? string.Empty;
    }

    /// <summary>A URL (a Location header, say) with its <c>code</c> redacted.</summary>
    public static string Url(string url)
    {
        var question = url.IndexOf('?');
        return question < 0 ? url : url[..question] + Query(new QueryString(url[question..]));
    }
}
