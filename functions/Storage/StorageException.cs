namespace Serverless.Storage;

/// <summary>
/// A storage call failed. <see cref="Kind"/> tells not-found from access-denied from
/// unavailable; the message names the location, never a credential.
/// </summary>
public sealed class StorageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageException(StorageErrorKind kind, string location, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Location = location;
    }

    /// <summary>What went wrong.</summary>
    public StorageErrorKind Kind { get; }

    /// <summary>The location (URI or key) the call was about.</summary>
    public string Location { get; }

    /// <summary>Whether retrying later could succeed.</summary>
    public bool IsTransient => Kind == StorageErrorKind.Unavailable;

    /// <summary>A short code for reports: <c>container_not_found</c>, <c>access_denied</c>, ...</summary>
    public string Code => Kind switch
    {
        StorageErrorKind.ContainerNotFound => "container_not_found",
        StorageErrorKind.ObjectNotFound => "object_not_found",
        StorageErrorKind.AccessDenied => "access_denied",
        StorageErrorKind.InvalidRequest => "invalid_request",
        StorageErrorKind.Unavailable => "storage_unavailable",
        StorageErrorKind.TooLarge => "too_large",
        _ => "storage_error",
    };
}
