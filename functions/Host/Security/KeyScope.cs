namespace Serverless.Host.Security;

/// <summary>What a presented key turned out to be.</summary>
public enum KeyScope
{
    /// <summary>No key, or one that matches nothing.</summary>
    None,

    /// <summary>One of the named function keys.</summary>
    Function,

    /// <summary>The host master key.</summary>
    Master,
}
