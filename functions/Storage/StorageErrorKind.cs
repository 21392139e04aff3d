namespace Serverless.Storage;

/// <summary>What went wrong with a storage call, in terms a user can act on.</summary>
public enum StorageErrorKind
{
    /// <summary>The bucket, container or local folder does not exist.</summary>
    ContainerNotFound,

    /// <summary>The object, blob or file does not exist.</summary>
    ObjectNotFound,

    /// <summary>Credentials unknown or not allowed.</summary>
    AccessDenied,

    /// <summary>The request itself is invalid (bad key, bad settings).</summary>
    InvalidRequest,

    /// <summary>The object is larger than the reader allows; nothing past the limit was read.</summary>
    TooLarge,

    /// <summary>The service could not be reached or failed (after retries).</summary>
    Unavailable,

    /// <summary>Anything else the service answered.</summary>
    Other,
}
