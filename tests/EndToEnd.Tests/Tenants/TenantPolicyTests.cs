using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.EndToEnd.Tests.Support;
using Serverless.Jobs;
using Serverless.Jobs.Configuration;
using Serverless.Jobs.Tenancy;
using Serverless.Storage;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests.Tenants;

/// <summary>
/// The tenant policy over a real tenants store (Azurite): a tenant key's locations and model held to
/// its patterns, the task hub's own blob account only where a pattern names it, the master key and
/// function keys as before tenants existed; and a stored key resolved to its tenant and role.
/// </summary>
[Collection(JobStackCollection.Name)]
public sealed class TenantPolicyTests(JobStack stack) : IDisposable
{
    private readonly TempDir root = new("tenant-policy");

    public void Dispose() => root.Dispose();

    private (TenantStore Store, TenantAdministration Admin, TenantPolicy Policy) Create(bool blobIsTaskHubAccount)
    {
        var store = new TenantStore(Serverless.Jobs.Configuration.TaskHubAccount.FromConnectionString(stack.Azurite.ConnectionString), "Policy" + Guid.NewGuid().ToString("N")[..6], TimeSpan.FromSeconds(30),
            TimeProvider.System, NullLogger<TenantStore>.Instance);
        var connections = new StorageConnections
        {
            // Nothing listens there: the policy must answer without asking S3.
            S3 = new S3Settings { ServiceUrl = "http://127.0.0.1:1" },
            Blob = new BlobSettings { ConnectionString = stack.Azurite.ConnectionString, IsTaskHubAccount = blobIsTaskHubAccount },
        };
        var models = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ModelsRoot.Setting] = root.Path }).Build();
        return (store, new TenantAdministration(store), new TenantPolicy(store, connections, new LocalRoot(root.Path), new ModelsRoot(models)));
    }

    private Tenant TeamA => new("team-a",
        ["s3://photos/team-a/*", $"{root.Path}/team-a/*", "azblob://photos@devstoreaccount1/team-a/*", "azblob://other/team-a/*"],
        ["s3://photos/results-a/*"], "team-a");

    [Fact]
    public async Task A_tenant_key_reads_writes_and_uses_models_only_where_its_patterns_say()
    {
        var (_, admin, policy) = Create(blobIsTaskHubAccount: true);
        await admin.SetTenantAsync(TeamA, CancellationToken.None);
        var caller = CallerIdentity.ForTenant("team-a", TenantRole.Submitter, "key-1");

        async Task<TenantDecision> Check(string? source, string? output = null, string? model = null) =>
            await policy.CheckJobAsync(caller, source, output, model, CancellationToken.None);

        Assert.True((await Check("s3://photos/team-a/2024", "s3://photos/results-a/job-1", "team-a/m.onnx")).Allowed);
        Assert.True((await Check(Path.Combine(root.Path, "team-a", "sub"))).Allowed);
        Assert.True((await Check("team-a/sub")).Allowed); // a relative local path is placed in the local root first
        Assert.True((await Check("azblob://photos/team-a/x")).Allowed); // the pattern names the task hub's account

        AssertRefused(await Check("s3://photos/team-a-evil/"), 403, "source", "allowSources");
        AssertRefused(await Check("s3://photos/team-b/"), 403, "source", "allowSources");
        AssertRefused(await Check("s3://photos/team-a/%2e%2e/team-b"), 403, "source", "allowSources");
        AssertRefused(await Check(Path.Combine(root.Path, "team-a", "..", "team-b")), 403, "source", "allowSources");
        AssertRefused(await Check("/etc"), 403, "source", "allowSources");
        AssertRefused(await Check("s3://photos/team-a/", "s3://photos/team-a/out"), 403, "output", "allowOutputs");
        AssertRefused(await Check("s3://photos/team-a/", null, "other/m.onnx"), 403, "model", "modelsDir");
        AssertRefused(await Check("s3://photos/team-a/", null, "team-a/../other/m.onnx"), 403, "model", "modelsDir");
        // Matched by a pattern, but read with the task hub's own account, which that pattern does not name.
        AssertRefused(await Check("azblob://other/team-a/x"), 403, "source", "taskHubAccount");
        AssertRefused(await Check("ftp://photos/x"), 400, "source", "location");

        // The master key and function keys (the implicit tenant) are held to nothing, as before tenants.
        Assert.True((await policy.CheckJobAsync(CallerIdentity.PlatformAdmin, "s3://photos/team-b/", "s3://else/", "other/m.onnx", CancellationToken.None)).Allowed);
        Assert.True((await policy.CheckJobAsync(CallerIdentity.Implicit, "azblob://other/x", null, null, CancellationToken.None)).Allowed);
        // A key of a tenant deleted since it was resolved.
        AssertRefused(await policy.CheckJobAsync(CallerIdentity.ForTenant("gone", TenantRole.Admin, "key-2"), "s3://photos/team-a/", null, null, CancellationToken.None),
            403, "tenant", "tenant");

        // What a running job may read (its manifest's keys): its tenant's sources as they are now; a job of no tenant reads anything.
        var reads = await policy.ReadCheckAsync("team-a", CancellationToken.None);
        Assert.True(reads("s3://photos/team-a/2024/x.jpg").Allowed);
        AssertRefused(reads("s3://photos/team-b/x.jpg"), 403, "source", "allowSources");
        Assert.True((await policy.ReadCheckAsync(null, CancellationToken.None))("s3://anything/x.jpg").Allowed);
        var orphan = (await policy.ReadCheckAsync("gone", CancellationToken.None))("s3://photos/team-a/x.jpg");
        AssertRefused(orphan, 403, "tenant", "tenant");
        Assert.Contains("the tenant 'gone' of this job no longer exists", orphan.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_datas_own_blob_account_a_plain_azblob_pattern_is_enough()
    {
        var (_, admin, policy) = Create(blobIsTaskHubAccount: false);
        await admin.SetTenantAsync(TeamA, CancellationToken.None);
        var caller = CallerIdentity.ForTenant("team-a", TenantRole.Reader, "key-1");
        Assert.True((await policy.CheckSourceAsync(caller, "azblob://other/team-a/x", CancellationToken.None)).Allowed);
        AssertRefused(await policy.CheckSourceAsync(caller, "azblob://other/team-b/x", CancellationToken.None), 403, "source", "allowSources");
    }

    [Fact]
    public async Task A_stored_key_resolves_to_its_tenant_and_role_until_revoked_or_its_tenant_is_deleted()
    {
        var (store, admin, _) = Create(blobIsTaskHubAccount: true);
        await admin.SetTenantAsync(TeamA, CancellationToken.None);
        var (key, secret) = (await admin.CreateKeyAsync("team-a", TenantRole.Admin, DateTimeOffset.UtcNow, CancellationToken.None))!.Value;
        var (other, otherSecret) = (await admin.CreateKeyAsync("team-a", TenantRole.Reader, DateTimeOffset.UtcNow, CancellationToken.None))!.Value;
        Assert.Null(await admin.CreateKeyAsync("nobody", TenantRole.Reader, DateTimeOffset.UtcNow, CancellationToken.None));

        var snapshot = await store.GetAsync(CancellationToken.None);
        Assert.Equal(CallerIdentity.ForTenant("team-a", TenantRole.Admin, key.Id), snapshot.Resolve(secret));
        Assert.Equal(TenantRole.Reader, snapshot.Resolve(otherSecret)!.Role);
        Assert.Null(snapshot.Resolve(secret + "x"));
        Assert.DoesNotContain(secret, System.Text.Json.JsonSerializer.Serialize(snapshot.Document), StringComparison.Ordinal);

        Assert.True(await admin.RevokeKeyAsync(key.Id, CancellationToken.None));
        Assert.False(await admin.RevokeKeyAsync(key.Id, CancellationToken.None));
        Assert.Null((await store.GetAsync(CancellationToken.None)).Resolve(secret));
        Assert.True(await admin.DeleteTenantAsync("team-a", CancellationToken.None));
        Assert.Null((await store.GetAsync(CancellationToken.None)).Resolve(otherSecret));
        Assert.DoesNotContain((await store.GetAsync(CancellationToken.None)).Document.Keys, k => k.Id == other.Id);
    }

    [Fact]
    public void The_blob_connection_falls_back_to_the_task_hub_account_only_as_configured()
    {
        static BlobSettings Blob(Dictionary<string, string?> settings) =>
            StorageConnectionsFactory.Create(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).Blob;

        var hubOnly = Blob(new() { [TaskHubSettings.ConnectionSetting] = "UseDevelopmentStorage=true" });
        Assert.Equal(("UseDevelopmentStorage=true", true), (hubOnly.ConnectionString, hubOnly.IsTaskHubAccount));
        var own = Blob(new() { [TaskHubSettings.ConnectionSetting] = "UseDevelopmentStorage=true", ["AZURE_STORAGE_CONNECTION_STRING"] = "AccountName=data;AccountKey=a2V5;DefaultEndpointsProtocol=https" });
        Assert.False(own.IsTaskHubAccount);
        var off = Blob(new() { [TaskHubSettings.ConnectionSetting] = "UseDevelopmentStorage=true", [StorageConnectionsFactory.TaskHubFallbackSetting] = "false" });
        Assert.Equal((null, false), (off.ConnectionString, off.IsTaskHubAccount));
    }

    private static void AssertRefused(TenantDecision decision, int status, string field, string rule)
    {
        Assert.False(decision.Allowed, $"expected a refusal of {field} by {rule}");
        Assert.Equal((status, field, rule), (decision.Status, decision.Field, decision.Rule));
        Assert.False(string.IsNullOrEmpty(decision.Detail));
    }
}
