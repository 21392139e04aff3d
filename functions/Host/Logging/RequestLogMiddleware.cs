using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Serverless.Host.Logging;

/// <summary>
/// One log line per request (method, path, query with keys redacted, status, duration), in place of
/// ASP.NET Core's own request lines: those print the URL as sent, <c>?code=</c> key included, and
/// take six lines a request at the default level.
/// </summary>
public sealed class RequestLogMiddleware(RequestDelegate next, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var request = context.Request;
            logger.LogInformation("HTTP {Method} {Path}{Query} {Status} {Milliseconds:F0} ms", request.Method, request.Path,
                Redaction.Query(request.QueryString), context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}
