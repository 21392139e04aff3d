using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Serverless.Host.Durable;

/// <summary>
/// Checks host.json's <c>extensions:durableTask</c> when the host starts: a bad value stops the
/// host with every bad setting named, instead of a DTFx error (or a stalled hub) later.
/// </summary>
internal sealed partial class TaskHubOptionsValidator : IValidateOptions<TaskHubOptions>
{
    private const string Section = "extensions:durableTask";
    private const string Storage = Section + ":storageProvider";

    public ValidateOptionsResult Validate(string? name, TaskHubOptions options)
    {
        var errors = new List<string>();
        var storage = options.StorageProvider;
        if (!HubNamePattern().IsMatch(options.HubName ?? ""))
            errors.Add($"{Section}:hubName must be 3-45 letters and digits, starting with a letter (was '{options.HubName}')");
        Range(errors, $"{Section}:maxConcurrentActivityFunctions", options.MaxConcurrentActivityFunctions, 1, 1000);
        Range(errors, $"{Section}:maxConcurrentOrchestratorFunctions", options.MaxConcurrentOrchestratorFunctions, 1, 1000);
        Range(errors, $"{Section}:extendedSessionIdleTimeoutInSeconds", options.ExtendedSessionIdleTimeoutInSeconds, 1, 3600);
        Range(errors, $"{Section}:entityMessageReorderWindowInMinutes", options.EntityMessageReorderWindowInMinutes, 0, 1440);
        if (options.ShutdownDrainTimeout < TimeSpan.Zero)
            errors.Add($"{Section}:shutdownDrainTimeout must not be negative");
        Range(errors, $"{Storage}:partitionCount", storage.PartitionCount, 1, 16);
        Range(errors, $"{Storage}:controlQueueBatchSize", storage.ControlQueueBatchSize, 1, 32);
        Range(errors, $"{Storage}:maxDequeueCount", storage.MaxDequeueCount, 2, 100);
        if (storage.MaxQueuePollingInterval <= TimeSpan.Zero)
            errors.Add($"{Storage}:maxQueuePollingInterval must be positive");
        // DTFx renews a lock every 5 s at the most often: a shorter timeout would expire between renewals.
        foreach (var (setting, value) in new[] { ("controlQueueVisibilityTimeout", storage.ControlQueueVisibilityTimeout), ("workItemQueueVisibilityTimeout", storage.WorkItemQueueVisibilityTimeout) })
            if (value < TimeSpan.FromSeconds(10) || value > TimeSpan.FromDays(7))
                errors.Add($"{Storage}:{setting} must be between 00:00:10 and 7 days (was {value})");
        if (storage.LeaseRenewInterval <= TimeSpan.Zero || storage.LeaseRenewInterval * 2 > storage.LeaseInterval)
            errors.Add($"{Storage}:leaseRenewInterval must be positive and at most half of leaseInterval (was {storage.LeaseRenewInterval} against {storage.LeaseInterval})");
        if (storage.LeaseAcquireInterval <= TimeSpan.Zero)
            errors.Add($"{Storage}:leaseAcquireInterval must be positive");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Range(List<string> errors, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
            errors.Add($"{setting} must be between {min} and {max} (was {value})");
    }

    // Azure Storage's rules for the names the hub gives its tables and queues.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,44}$")]
    private static partial Regex HubNamePattern();
}
