using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serverless.Host.Hosting;
using Serverless.Orchestrations.Worker;

namespace Serverless.Host.Security;

/// <summary>
/// Loads the host keys once per process. In order: keys given by configuration
/// (<c>SERVERLESS_MASTER_KEY</c>, <c>SERVERLESS_FUNCTION_KEY</c>, <c>keys:master</c>,
/// <c>keys:functions:{name}</c>, <c>SERVERLESS_FUNCTION_KEYS:{name}</c>); else, with a task hub in
/// Azure Storage, the keys blob of that hub (created on first start, shared by every process);
/// else a master key generated for this process and printed once to stderr. The log says where
/// the keys are, never what they are.
/// </summary>
public sealed class HostKeyProvider(IConfiguration configuration, IOptions<DurableTaskOptions> durableTask, ILogger<HostKeyProvider> logger)
{
    public const string MasterKeySetting = "SERVERLESS_MASTER_KEY";
    public const string FunctionKeySetting = "SERVERLESS_FUNCTION_KEY";

    private readonly SemaphoreSlim gate = new(1, 1);
    private HostKeys? keys;

    /// <summary>The keys, loading them on the first call; a failed load is retried on the next call.</summary>
    public async ValueTask<HostKeys> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref keys) is { } loaded)
            return loaded;
        await gate.WaitAsync(cancellationToken);
        try
        {
            return keys ??= await LoadAsync(cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<HostKeys> LoadAsync(CancellationToken cancellationToken)
    {
        var master = Setting(MasterKeySetting) ?? Setting("keys:master");
        var functions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Setting(FunctionKeySetting) is { } single)
            functions["default"] = single;
        foreach (var section in new[] { "keys:functions", "SERVERLESS_FUNCTION_KEYS" })
            foreach (var child in configuration.GetSection(section).GetChildren())
                if (!string.IsNullOrWhiteSpace(child.Value))
                    functions[child.Key] = child.Value.Trim();

        if (master is not null || functions.Count > 0)
        {
            var fromConfiguration = new HostKeys(master, functions, "configuration");
            if (!fromConfiguration.HasMaster)
                logger.LogWarning("No master key is configured ({Setting}): admin endpoints (terminate, purge) refuse every key.", MasterKeySetting);
            logger.LogInformation("Host keys from configuration: master {Master}, function keys [{Names}].",
                fromConfiguration.HasMaster ? "set" : "not set", string.Join(", ", fromConfiguration.FunctionKeyNames));
            return fromConfiguration;
        }

        var connection = configuration[HostConfiguration.StorageConnectionSetting];
        if (!string.IsNullOrWhiteSpace(connection))
        {
            var blob = new SecretsBlob(connection, durableTask.Value.HubName);
            var (storedMaster, storedFunctions, created) = await blob.ReadOrCreateAsync(cancellationToken);
            logger.LogInformation("Host keys {Action} the task hub's storage, blob {Location} (read the master key there, or set {Setting}).",
                created ? "generated and stored in" : "read from", blob.Location, MasterKeySetting);
            return new HostKeys(storedMaster, storedFunctions, $"blob {blob.Location}");
        }

        // One process, nothing shared: a key for this run only. The console, not the log, gets it once.
        var generated = HostKeys.NewKey();
        Console.Error.WriteLine(
            $"""
            No key configured ({MasterKeySetting} / {FunctionKeySetting}) and no task hub storage: generated a master key for this process.
              export SERVERLESS_KEY={generated}
            Every endpoint but /healthz needs it (x-functions-key header, or ?code=). Set {MasterKeySetting} to choose your own.
            """);
        return new HostKeys(generated, new Dictionary<string, string>(), "generated for this process (printed on stderr at start)");
    }

    private string? Setting(string name) => string.IsNullOrWhiteSpace(configuration[name]) ? null : configuration[name]!.Trim();
}
