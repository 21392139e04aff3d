using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Serverless.Host.Hosting;

/// <summary>
/// How an unhandled exception answers (<see cref="OutageStatus"/>): storage refusing the host's
/// credentials is a 503 whose problem details name the credential problem, logged once a minute
/// (<see cref="CredentialFailureLog"/>) instead of once per request by the exception handler.
/// </summary>
internal static class OutageResponses
{
    public static IServiceCollection AddOutageResponses(this IServiceCollection services)
    {
        services.AddSingleton<CredentialFailureLog>();
        services.Configure<ExceptionHandlerOptions>(o =>
        {
            o.StatusCodeSelector = OutageStatus.For;
            // A refused credential is logged by CredentialFailureLog, throttled; everything else as ASP.NET Core does.
            o.SuppressDiagnosticsCallback = c => CredentialFailure.Describe(c.Exception) is not null;
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails += context =>
        {
            if (context.Exception is { } exception && CredentialFailure.Describe(exception) is { } reason)
            {
                context.ProblemDetails.Title = "Storage refused the host's credentials.";
                context.ProblemDetails.Detail = reason;
                context.HttpContext.RequestServices.GetRequiredService<CredentialFailureLog>().Report(reason);
            }
        });
        return services;
    }
}

/// <summary>Logs a refused credential at most once per <see cref="Interval"/>, with how many requests it failed meanwhile.</summary>
internal sealed class CredentialFailureLog(ILogger<CredentialFailureLog> logger, TimeProvider? clock = null)
{
    /// <summary>The least time between two log lines.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider time = clock ?? TimeProvider.System;
    private readonly Lock gate = new();
    private DateTimeOffset? last;
    private int suppressed;

    /// <summary>Counts one failed request; logs it when the last line is older than <see cref="Interval"/>.</summary>
    public void Report(string reason)
    {
        int failedSince;
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (last is { } previous && now - previous < Interval)
            {
                suppressed++;
                return;
            }

            failedSince = suppressed;
            (last, suppressed) = (now, 0);
        }

        logger.LogError("Requests fail with 503: {Reason} ({Suppressed} more requests failed so since the last line; next line in a minute at the earliest).", reason, failedSince);
    }
}
