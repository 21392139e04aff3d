namespace Serverless.Orchestrations;

/// <summary>
/// Durable retry with exponential back-off: attempt n+1 starts a durable timer of
/// <c>min(FirstRetryInterval * BackoffCoefficient^(n-1), MaxRetryInterval)</c> after attempt n failed.
/// </summary>
public sealed class RetryPolicy
{
    /// <summary>Creates a policy.</summary>
    /// <param name="maxNumberOfAttempts">Total attempts, the first included (at least 1).</param>
    /// <param name="firstRetryInterval">Delay before the second attempt (positive).</param>
    /// <param name="backoffCoefficient">Multiplier of the delay per attempt (at least 1).</param>
    /// <param name="maxRetryInterval">Cap on a single delay (default: one hour).</param>
    /// <param name="retryTimeout">Give up once this much time passed since the first attempt (default: no limit).</param>
    public RetryPolicy(int maxNumberOfAttempts, TimeSpan firstRetryInterval, double backoffCoefficient = 1.0,
        TimeSpan? maxRetryInterval = null, TimeSpan? retryTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxNumberOfAttempts, 1);
        if (firstRetryInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(firstRetryInterval), "The first retry interval must be positive.");
        ArgumentOutOfRangeException.ThrowIfLessThan(backoffCoefficient, 1.0);
        MaxNumberOfAttempts = maxNumberOfAttempts;
        FirstRetryInterval = firstRetryInterval;
        BackoffCoefficient = backoffCoefficient;
        MaxRetryInterval = maxRetryInterval ?? TimeSpan.FromHours(1);
        RetryTimeout = retryTimeout ?? Timeout.InfiniteTimeSpan;
    }

    /// <summary>Total attempts, the first included.</summary>
    public int MaxNumberOfAttempts { get; }

    /// <summary>Delay before the second attempt.</summary>
    public TimeSpan FirstRetryInterval { get; }

    /// <summary>Multiplier of the delay per attempt.</summary>
    public double BackoffCoefficient { get; }

    /// <summary>Cap on a single delay.</summary>
    public TimeSpan MaxRetryInterval { get; }

    /// <summary>Overall time limit, or <see cref="Timeout.InfiniteTimeSpan"/>.</summary>
    public TimeSpan RetryTimeout { get; }

    /// <summary>Decides per failure whether to retry (default: every retriable failure).</summary>
    public Func<FailureDetails, bool> Handle { get; init; } = static _ => true;

    /// <summary>The delay after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan GetDelay(int attempt)
    {
        var ticks = FirstRetryInterval.Ticks * Math.Pow(BackoffCoefficient, attempt - 1);
        return ticks >= MaxRetryInterval.Ticks ? MaxRetryInterval : TimeSpan.FromTicks((long)ticks);
    }
}
