using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Serverless.Host.Durable;
using Serverless.Jobs.Configuration;
using Serverless.Storage;

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

    private static IConfiguration Settings(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
