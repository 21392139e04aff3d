using Microsoft.AspNetCore.Http;
using Serverless.Jobs;

namespace Serverless.Api;

/// <summary>
/// Durable Functions' management URLs for a job, absolute, under a route family, on the host the
/// caller reached (behind a trusted ingress, its forwarded scheme and host). A caller that
/// authenticated with <c>?code=</c> finds its key on them too, so a poller that only follows
/// Location needs nothing else.
/// </summary>
public static class ManagementUrls
{
    public static JobManagementUrls For(InstanceRoutes family, HttpRequest request, string id)
    {
        var status = $"{request.Scheme}://{request.Host}{request.PathBase}/{family.Prefix}/{Uri.EscapeDataString(id)}";
        var code = request.Query.TryGetValue("code", out var key) && !string.IsNullOrEmpty(key) ? "code=" + Uri.EscapeDataString(key.ToString()) : null;
        string With(string url, string? query = null) =>
            string.Join("", url, query is null && code is null ? "" : "?", string.Join("&", new[] { query, code }.Where(q => q is not null)));
        return new JobManagementUrls(id, With(status), With($"{status}/raiseEvent/{{eventName}}"), With($"{status}/terminate", "reason={text}"), With(status));
    }

    /// <summary>The absolute URL of this request, as the caller reached it (Durable Functions' Location of a 202 status).</summary>
    public static string ThisRequest(HttpRequest request) =>
        $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
}
