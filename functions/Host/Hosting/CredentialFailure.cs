using Amazon.Runtime;
using Azure;
using Serverless.Storage;

namespace Serverless.Host.Hosting;

/// <summary>
/// Storage that refuses the host's own credentials (a rotated account key, a revoked token): a
/// request that meets it fails for every caller until an operator acts, so it is a 503 whose
/// reason names the credential problem, not a 500.
/// </summary>
internal static class CredentialFailure
{
    /// <summary>The reason, without secrets or exception text, when <paramref name="exception"/> or an inner one is storage refusing the credentials; else null.</summary>
    public static string? Describe(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case RequestFailedException { Status: 401 or 403 } azure:
                    return $"Azure Storage refused the host's credentials ({azure.Status} {azure.ErrorCode ?? "no error code"}): the account key, SAS or identity in AzureWebJobsStorage may have been rotated, revoked or lack a role. Update the setting and restart the host.";
                case AmazonServiceException { StatusCode: System.Net.HttpStatusCode.Forbidden or System.Net.HttpStatusCode.Unauthorized } s3:
                    return $"S3 refused the host's credentials ({(int)s3.StatusCode} {s3.ErrorCode ?? "no error code"}): the access key may have been rotated or revoked. Update AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and restart the host.";
                case StorageException { Kind: StorageErrorKind.AccessDenied } storage:
                    return $"Storage refused the host's credentials for {storage.Location}: they may have been rotated or revoked. Update them and restart the host.";
                case AggregateException aggregate:
                    foreach (var inner in aggregate.InnerExceptions)
                    {
                        if (Describe(inner) is { } reason)
                            return reason;
                    }

                    break;
            }
        }

        return null;
    }
}
