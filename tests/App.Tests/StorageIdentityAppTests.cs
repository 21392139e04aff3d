using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.App;
using Serverless.Drops;
using Serverless.Jobs;
using Serverless.Jobs.Attempts;
using Serverless.Jobs.Configuration;
using Serverless.Jobs.Progress;
using Serverless.Jobs.Tenancy;

namespace Serverless.App.Tests;

/// <summary>
/// The Functions app with <c>AzureWebJobsStorage</c> by identity only: its job index, ledger,
/// progress, tenants and drop receipts take token clients on the configured endpoints (no request
/// is made; tests/EndToEnd's StorageByIdentityTests runs the same components against Azurite with tokens).
/// </summary>
public sealed class StorageIdentityAppTests
{
    [Fact]
    public void With_identity_only_the_apps_components_resolve_on_the_token_account()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage:accountName"] = "appidentity",
            ["AzureWebJobsStorage:credential"] = "managedidentity",
            ["AzureWebJobsStorage:clientId"] = "00000000-0000-0000-0000-000000000002",
        }).Build();
        using var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddBatchInferenceApp(configuration).BuildServiceProvider();

        var account = services.GetRequiredService<TaskHubAccount>();
        Assert.True(account.UsesToken);
        Assert.Equal("appidentity.table.core.windows.net", account.Tables.Uri.Host);
        Assert.Equal("appidentity", account.AccountName);
        Assert.NotNull(services.GetRequiredService<JobIndex>());
        Assert.NotNull(services.GetRequiredService<AttemptLedger>());
        Assert.NotNull(services.GetRequiredService<UnitProgress>());
        Assert.NotNull(services.GetRequiredService<TenantStore>());
        Assert.NotNull(services.GetRequiredService<IDropReceiptStore>());
    }
}
