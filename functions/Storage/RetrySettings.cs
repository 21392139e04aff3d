namespace Serverless.Storage;

/// <summary>Retries of transient storage errors (timeouts, 5xx, throttling, refused connections).</summary>
public sealed class RetrySettings
{
    /// <summary>Retries after the first attempt; 0 disables retrying.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>Delay before the first retry; doubles each time, with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between two attempts.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Timeout of one request attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Called before each retry with the failure, the retry number (1-based) and the delay; for logging.</summary>
    public Action<Exception, int, TimeSpan>? OnRetry { get; set; }
}
