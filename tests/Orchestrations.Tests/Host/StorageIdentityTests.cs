using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Serverless.Host.Durable;
using Serverless.Jobs.Configuration;
using Serverless.Storage;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Drops.Watching;
using Serverless.Host.Hosting;
using Serverless.Jobs;
using Serverless.Jobs.Attempts;
using Serverless.Jobs.Progress;
using Serverless.Jobs.Tenancy;

namespace Serverless.Orchestrations.Tests.Host;

/// <summary>
/// AzureWebJobsStorage by identity, as the Functions host reads it: the settings pick the token
/// path for the task hub and Blob sources, and an incomplete set is a clear error. No token is
/// asked for here (no Azure): what a real account does with it was not run.
/// </summary>
public sealed class StorageIdentityTests
{
    [Fact]
    public void An_account_name_gives_the_three_endpoints_and_the_default_credential_chain()
    {
        var identity = TaskHubSettings.Identity(Settings(new() { ["AzureWebJobsStorage:accountName"] = "mystorage" }))!;

        Assert.Equal(new Uri("https://mystorage.blob.core.windows.net"), identity.BlobServiceUri);
        Assert.Equal(new Uri("https://mystorage.queue.core.windows.net"), identity.QueueServiceUri);
        Assert.Equal(new Uri("https://mystorage.table.core.windows.net"), identity.TableServiceUri);
        Assert.IsType<DefaultAzureCredential>(identity.Credential);
    }

    [Fact]
    public void Managedidentity_with_a_client_id_is_that_user_assigned_identity()
    {
        var identity = TaskHubSettings.Identity(Settings(new()
        {
            ["AzureWebJobsStorage:accountName"] = "mystorage",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        }))!;

        Assert.IsType<ManagedIdentityCredential>(identity.Credential);
        Assert.Equal("00000000-0000-0000-0000-000000000001", identity.ClientId);
        Assert.DoesNotContain("AccountKey", identity.ToString());
    }

    [Fact]
    public void Service_uris_work_without_an_account_name()
    {
        var identity = TaskHubSettings.Identity(Settings(new()
        {
            ["AzureWebJobsStorage:blobServiceUri"] = "https://a.blob.core.windows.net",
            ["AzureWebJobsStorage:queueServiceUri"] = "https://a.queue.core.windows.net",
            ["AzureWebJobsStorage:tableServiceUri"] = "https://a.table.core.windows.net",
        }))!;

        Assert.Equal("a.table.core.windows.net", identity.TableServiceUri.Host);
    }

    [Theory]
    [InlineData("credential", "managedidentity", "__accountName")]
    [InlineData("clientId", "abc", "__accountName")]
    [InlineData("blobServiceUri", "https://a.blob.core.windows.net", "__queueServiceUri is not set")]
    [InlineData("accountName", "Not_An_Account", "is not a storage account name")]
    public void An_incomplete_or_wrong_set_is_a_clear_error(string setting, string value, string expected)
    {
        var e = Assert.Throws<InvalidOperationException>(() => TaskHubSettings.Identity(Settings(new() { [$"AzureWebJobsStorage:{setting}"] = value })));

        Assert.Contains(expected, e.Message);
        Assert.Contains("AzureWebJobsStorage", e.Message);
    }

    [Fact]
    public void An_unknown_credential_kind_is_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TaskHubSettings.Identity(Settings(new()
        {
            ["AzureWebJobsStorage:accountName"] = "mystorage", ["AzureWebJobsStorage:credential"] = "clientsecret",
        })));

        Assert.Contains("AzureWebJobsStorage__credential 'clientsecret' is not supported", e.Message);
    }

    [Fact]
    public void A_connection_string_wins_and_nothing_set_is_null()
    {
        Assert.Null(TaskHubSettings.Identity(Settings(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["AzureWebJobsStorage:accountName"] = "mystorage" })));
        Assert.Null(TaskHubSettings.Identity(Settings([])));
        Assert.Null(TaskHubSettingsFactory.Provider(Settings([])));
    }

    [Fact]
    public void The_task_hub_and_blob_sources_take_the_identity_path()
    {
        var settings = Settings(new() { ["AzureWebJobsStorage:accountName"] = "mystorage", ["AzureWebJobsStorage:credential"] = "managedidentity" });

        Assert.NotNull(TaskHubSettingsFactory.Provider(settings));
        var blob = StorageConnectionsFactory.Create(settings).Blob;
        Assert.Null(blob.ConnectionString);
        Assert.Equal(new Uri("https://mystorage.blob.core.windows.net"), blob.Identity!.BlobServiceUri);
    }

    [Fact]
    public void With_identity_only_every_component_of_the_self_host_takes_a_token_client_on_the_configured_endpoints()
    {
        var (blob, queue, table) = (new Uri("https://idacct.blob.core.windows.net/"), new Uri("https://idacct.queue.core.windows.net/"), new Uri("https://idacct.table.core.windows.net/"));
        var configuration = Settings(new()
        {
            ["AzureWebJobsStorage:blobServiceUri"] = blob.AbsoluteUri,
            ["AzureWebJobsStorage:queueServiceUri"] = queue.AbsoluteUri,
            ["AzureWebJobsStorage:tableServiceUri"] = table.AbsoluteUri,
            ["AzureWebJobsStorage:credential"] = "managedidentity",
        });
        using var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddLogging()
            .AddSingleton(configuration).AddApplicationServices(configuration, HostRole.All).BuildServiceProvider();

        var account = services.GetRequiredService<TaskHubAccount>();
        Assert.True(account.UsesToken);
        Assert.Null(account.ConnectionString);
        Assert.Equal(table.Host, account.Tables.Uri.Host);
        Assert.Equal(blob.Host, account.Blobs.Uri.Host);
        Assert.IsType<ManagedIdentityCredential>(account.Identity!.Credential);
        // Each resolves (the job index, ledger, progress and tenants threw "do not yet" before) on the one account.
        Assert.NotNull(services.GetRequiredService<JobIndex>());
        Assert.NotNull(services.GetRequiredService<AttemptLedger>());
        Assert.NotNull(services.GetRequiredService<UnitProgress>());
        Assert.NotNull(services.GetRequiredService<TenantStore>());
        Assert.NotNull(services.GetRequiredService<Serverless.Drops.IDropReceiptStore>());
        Assert.StartsWith(queue.AbsoluteUri, services.GetRequiredService<DropNotificationQueue>().Client.Uri.AbsoluteUri);
        Assert.NotNull(ActivatorUtilities.CreateInstance<Serverless.Host.Security.HostKeyProvider>(services));
        Assert.Equal("idacct", services.GetRequiredService<StorageConnections>().Blob.Identity is { } id ? new Azure.Storage.Blobs.BlobUriBuilder(id.BlobServiceUri).AccountName : null);
    }

    [Fact]
    public void With_a_connection_string_the_account_uses_the_shared_key()
    {
        var account = TaskHubAccount.FromConfiguration(Settings(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" }));

        Assert.False(account.UsesToken);
        Assert.Equal("devstoreaccount1", account.AccountName);
        Assert.Contains("AzureWebJobsStorage is not set", Assert.Throws<InvalidOperationException>(() => TaskHubAccount.FromConfiguration(Settings([]))).Message);
    }

    private static IConfiguration Settings(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
