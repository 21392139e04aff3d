namespace Serverless.Storage.Local;

/// <summary>Maps file-system exceptions to <see cref="StorageErrorKind"/>.</summary>
internal static class LocalErrors
{
    public static StorageErrorKind? Classify(Exception ex) => ex switch
    {
        FileNotFoundException => StorageErrorKind.ObjectNotFound,
        DirectoryNotFoundException => StorageErrorKind.ObjectNotFound,
        UnauthorizedAccessException => StorageErrorKind.AccessDenied,
        ArgumentException => StorageErrorKind.InvalidRequest,
        _ => null,
    };

    public static void RequireFolder(SourceUri location)
    {
        if (File.Exists(location.LocalPath))
        {
            throw new StorageException(StorageErrorKind.InvalidRequest, location.LocalPath, $"{location.LocalPath}: is a file, not a folder.");
        }

        if (!Directory.Exists(location.LocalPath))
        {
            throw new StorageException(StorageErrorKind.ContainerNotFound, location.LocalPath, $"{location.LocalPath}: the folder does not exist.");
        }
    }

    public static string FullPath(SourceUri location, string key)
    {
        ResultNames.Validate(key, nameof(key));
        return Path.Combine(location.LocalPath, key.Replace('/', Path.DirectorySeparatorChar));
    }
}
