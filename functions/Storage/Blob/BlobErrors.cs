using Azure;

namespace Serverless.Storage.Blob;

/// <summary>Maps Azure Storage error answers to <see cref="StorageErrorKind"/>.</summary>
internal static class BlobErrors
{
    public static StorageErrorKind? Classify(Exception ex)
    {
        if (ex is not RequestFailedException failed)
        {
            return null;
        }

        switch (failed.ErrorCode)
        {
            case "ContainerNotFound":
                return StorageErrorKind.ContainerNotFound;
            case "BlobNotFound" or "ResourceNotFound":
                return StorageErrorKind.ObjectNotFound;
            case "AuthenticationFailed" or "AuthorizationFailure" or "AuthorizationPermissionMismatch" or "InsufficientAccountPermissions":
                return StorageErrorKind.AccessDenied;
            case "ServerBusy" or "InternalError" or "OperationTimedOut":
                return StorageErrorKind.Unavailable;
            case "InvalidResourceName" or "InvalidUri" or "InvalidHeaderValue" or "InvalidQueryParameterValue":
                return StorageErrorKind.InvalidRequest;
        }

        return failed.Status switch
        {
            0 => StorageErrorKind.Unavailable, // no answer: connection refused or reset
            404 => StorageErrorKind.ObjectNotFound,
            401 or 403 => StorageErrorKind.AccessDenied,
            408 or 429 or >= 500 => StorageErrorKind.Unavailable,
            >= 400 => StorageErrorKind.InvalidRequest,
            _ => null,
        };
    }
}
