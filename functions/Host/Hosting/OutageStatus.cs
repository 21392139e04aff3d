using System.Net.Sockets;
using Azure;
using Microsoft.AspNetCore.Http;
using Serverless.Storage;

namespace Serverless.Host.Hosting;

/// <summary>
/// The status of an unhandled exception: a request the server cut off keeps its own (413...); storage
/// that cannot be reached (the task hub's account, the source, the keys blob) or that refuses the
/// host's credentials (a rotated key: <see cref="CredentialFailure"/>) is 503, which says "try
/// again" / "the service is not available", not 500; anything else is 500. The body is problem details without the exception.
/// </summary>
internal static class OutageStatus
{
    public static int For(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        _ when IsOutage(exception) || CredentialFailure.Describe(exception) is not null => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static bool IsOutage(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is StorageException { IsTransient: true } or HttpRequestException or SocketException or TimeoutException
                || e is RequestFailedException { Status: 0 or >= 500 }
                || (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsOutage)))
                return true;
        }
        return false;
    }
}
