using System.Net.Sockets;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Serverless.Storage;

/// <summary>
/// Runs storage calls through one resilience pipeline (per-attempt timeout, retries of
/// transient errors with exponential back-off and jitter) and turns what still fails into a
/// <see cref="StorageException"/>. The SDKs' own retries are switched off so this is the
/// only retry policy and its numbers mean what they say.
/// </summary>
internal sealed class StorageExecutor
{
    private readonly ResiliencePipeline pipeline;
    private readonly Func<Exception, StorageErrorKind?> classifyService;
    private readonly string containerNoun;

    /// <param name="retry">Retry and timeout settings.</param>
    /// <param name="classifyService">Maps a service's own exceptions to a kind; null when it does not know one.</param>
    /// <param name="containerNoun">"bucket", "container" or "folder", for messages.</param>
    public StorageExecutor(RetrySettings retry, Func<Exception, StorageErrorKind?> classifyService, string containerNoun)
    {
        this.classifyService = classifyService;
        this.containerNoun = containerNoun;
        var builder = new ResiliencePipelineBuilder();
        if (retry.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry.MaxRetries,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => Classify(ex) == StorageErrorKind.Unavailable),
                OnRetry = args =>
                {
                    if (retry.OnRetry is { } onRetry && args.Outcome.Exception is { } failure)
                    {
                        onRetry(failure, args.AttemptNumber + 1, args.RetryDelay);
                    }

                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddTimeout(retry.AttemptTimeout);
        pipeline = builder.Build();
    }

    /// <summary>Runs <paramref name="operation"/> with retries; <paramref name="location"/> names it in errors.</summary>
    public async Task<T> RunAsync<T>(string location, Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return await pipeline.ExecuteAsync(
                async token => await operation(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (StorageException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw Translate(ex, location);
        }
    }

    /// <summary>Runs an operation without a result.</summary>
    public Task RunAsync(string location, Func<CancellationToken, Task> operation, CancellationToken cancellationToken) =>
        RunAsync(location, async token =>
        {
            await operation(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>The storage exception for a failure at <paramref name="location"/>.</summary>
    public StorageException Translate(Exception ex, string location)
    {
        var kind = Classify(ex);
        var message = kind switch
        {
            StorageErrorKind.ContainerNotFound => $"{location}: the {containerNoun} does not exist.",
            StorageErrorKind.ObjectNotFound => $"{location}: not found.",
            StorageErrorKind.AccessDenied => $"{location}: access denied (unknown or insufficient credentials).",
            StorageErrorKind.InvalidRequest => $"{location}: invalid request.",
            StorageErrorKind.Unavailable => $"{location}: storage unavailable.",
            StorageErrorKind.TooLarge => $"{location}: too large:",
            _ => $"{location}: storage error.",
        };
        return new StorageException(kind, location, $"{message} {Innermost(ex).Message}", ex);
    }

    private StorageErrorKind Classify(Exception ex)
    {
        if (ex is AggregateException aggregate && aggregate.InnerExceptions.Count > 0)
        {
            return Classify(aggregate.InnerExceptions[^1]);
        }

        if (ex is StorageException storage)
        {
            return storage.Kind;
        }

        if (ex is TooLargeException)
        {
            return StorageErrorKind.TooLarge;
        }

        if (classifyService(ex) is { } kind)
        {
            return kind;
        }

        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is TimeoutRejectedException or HttpRequestException or SocketException or IOException or TimeoutException)
            {
                return StorageErrorKind.Unavailable;
            }
        }

        return StorageErrorKind.Other;
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            ex = aggregate.InnerExceptions[^1];
        }

        return ex;
    }
}
