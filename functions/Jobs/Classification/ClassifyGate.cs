using Microsoft.Extensions.Configuration;

namespace Serverless.Jobs.Classification;

/// <summary>
/// The bound on <c>/api/classify</c> inferences running at once in this process
/// (<c>classify:maxConcurrent</c>, default the number of CPUs the process may use) and the share one
/// tenant may hold of it (<c>classify:tenantShare</c>, a fraction, default 0.5, at least one slot).
/// A request that finds no slot is not queued: it is answered 429 with <c>Retry-After</c>
/// (<c>classify:retryAfterSeconds</c>, default 1), so memory holds at most the bound's bodies.
/// </summary>
public sealed class ClassifyGate
{
    public const string MaxConcurrentSetting = "classify:maxConcurrent";
    public const string TenantShareSetting = "classify:tenantShare";
    public const string RetryAfterSetting = "classify:retryAfterSeconds";

    private readonly Lock gate = new();
    private readonly Dictionary<string, int> byTenant = new(StringComparer.Ordinal);
    private int running;

    /// <summary>Creates the gate with explicit limits.</summary>
    public ClassifyGate(int maxConcurrent, double tenantShare, int retryAfterSeconds)
    {
        if (maxConcurrent < 1)
            throw new InvalidOperationException($"{MaxConcurrentSetting} must be at least 1, not {maxConcurrent}.");
        if (tenantShare is <= 0 or > 1 || double.IsNaN(tenantShare))
            throw new InvalidOperationException($"{TenantShareSetting} must be a fraction above 0 and at most 1, not {tenantShare}.");
        if (retryAfterSeconds < 1)
            throw new InvalidOperationException($"{RetryAfterSetting} must be at least 1, not {retryAfterSeconds}.");
        MaxConcurrent = maxConcurrent;
        PerTenant = Math.Max(1, (int)Math.Floor(maxConcurrent * tenantShare));
        RetryAfterSeconds = retryAfterSeconds;
    }

    /// <summary>Creates the gate from configuration (see the type's summary for the settings and defaults).</summary>
    public ClassifyGate(IConfiguration configuration)
        : this(configuration.GetValue<int?>(MaxConcurrentSetting) ?? Environment.ProcessorCount,
               configuration.GetValue<double?>(TenantShareSetting) ?? 0.5,
               configuration.GetValue<int?>(RetryAfterSetting) ?? 1)
    {
    }

    /// <summary>Inferences allowed at once in the process.</summary>
    public int MaxConcurrent { get; }

    /// <summary>Inferences one tenant may run at once.</summary>
    public int PerTenant { get; }

    /// <summary>What a refused request is told to wait, in seconds.</summary>
    public int RetryAfterSeconds { get; }

    /// <summary>
    /// A slot for one inference, or null (and why) when the process or the tenant has none free.
    /// <paramref name="tenant"/> null: not a tenant's key (the process bound only).
    /// </summary>
    public Slot? TryEnter(string? tenant, out string refusal)
    {
        lock (gate)
        {
            if (running >= MaxConcurrent)
            {
                refusal = $"{running} classifications are running, the most this process runs at once ({MaxConcurrentSetting} = {MaxConcurrent})";
                return null;
            }
            var held = tenant is null ? 0 : byTenant.GetValueOrDefault(tenant);
            if (tenant is not null && held >= PerTenant)
            {
                refusal = $"tenant '{tenant}' has {held} classifications running, its share of this process ({PerTenant} of {MaxConcurrent}, {TenantShareSetting})";
                return null;
            }
            running++;
            if (tenant is not null)
                byTenant[tenant] = held + 1;
            refusal = string.Empty;
            return new Slot(this, tenant);
        }
    }

    private void Leave(string? tenant)
    {
        lock (gate)
        {
            running--;
            if (tenant is not null && --byTenant[tenant] == 0)
                byTenant.Remove(tenant);
        }
    }

    /// <summary>A held slot; disposing it frees it (once).</summary>
    public sealed class Slot(ClassifyGate owner, string? tenant) : IDisposable
    {
        private int disposed;

        /// <inheritdoc />
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
                owner.Leave(tenant);
        }
    }
}
