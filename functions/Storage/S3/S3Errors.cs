using System.Net;
using Amazon.Runtime;
using Amazon.S3;

namespace Serverless.Storage.S3;

/// <summary>Maps S3 error answers to <see cref="StorageErrorKind"/>.</summary>
internal static class S3Errors
{
    public static StorageErrorKind? Classify(Exception ex)
    {
        if (ex is AmazonServiceException service)
        {
            switch (service.ErrorCode)
            {
                case "NoSuchBucket":
                    return StorageErrorKind.ContainerNotFound;
                case "NoSuchKey":
                    return StorageErrorKind.ObjectNotFound;
                case "InvalidAccessKeyId" or "AccessDenied" or "SignatureDoesNotMatch" or "InvalidToken" or "ExpiredToken":
                    return StorageErrorKind.AccessDenied;
                case "SlowDown" or "RequestTimeout" or "InternalError" or "ServiceUnavailable" or "ThrottlingException":
                    return StorageErrorKind.Unavailable;
                case "InvalidBucketName" or "KeyTooLongError" or "InvalidArgument":
                    return StorageErrorKind.InvalidRequest;
            }

            switch (service.StatusCode)
            {
                case HttpStatusCode.NotFound:
                    // HEAD answers carry no body, hence no error code.
                    return StorageErrorKind.ObjectNotFound;
                case HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized:
                    return StorageErrorKind.AccessDenied;
                case HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout:
                    return StorageErrorKind.Unavailable;
                case >= HttpStatusCode.InternalServerError:
                    return StorageErrorKind.Unavailable;
                case >= HttpStatusCode.BadRequest:
                    return StorageErrorKind.InvalidRequest;
            }
        }

        if (ex is AmazonClientException && ex.InnerException is null && ex.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase))
        {
            return StorageErrorKind.AccessDenied;
        }

        return null;
    }
}
