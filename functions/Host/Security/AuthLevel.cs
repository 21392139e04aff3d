namespace Serverless.Host.Security;

/// <summary>The key an endpoint needs, as in Azure Functions' <c>authLevel</c>; ordered from least to most.</summary>
public enum AuthLevel
{
    /// <summary>No key; only where configuration says so.</summary>
    Anonymous,

    /// <summary>A function key or the master key.</summary>
    Function,

    /// <summary>The master key only.</summary>
    Admin,
}
