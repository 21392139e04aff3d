using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using Serverless.Drops;
using Serverless.Drops.Watching;
using Serverless.Host.Security;
using Serverless.Jobs;
using Serverless.Jobs.Attempts;
using Serverless.Jobs.Configuration;
using Serverless.Jobs.Progress;
using Serverless.Jobs.Tenancy;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// The task hub's account by token, for real: Azurite over HTTPS with <c>--oauth basic</c> (it
/// checks a bearer token's issuer, audience and lifetime, not its signature), and every component
/// beside the engine (job index, attempt ledger, unit progress, tenants, host keys, drop receipts and
/// notifications) reading and writing through <see cref="TaskHubAccount"/> with a token credential.
/// </summary>
public sealed class StorageByIdentityTests
{
    [Fact]
    public async Task Every_component_reads_and_writes_the_task_hubs_account_with_a_bearer_token()
    {
        using var certs = new TempDir("azurite-tls");
        var (certificate, certPem, keyPem) = SelfSigned(certs.Path);
        await using var azurite = await AzuriteProcess.StartAsync(oauthCertificate: (certPem, keyPem));
        var credential = new UnsignedTokenCredential();
        var account = TaskHubAccount.FromCredential(azurite.BlobEndpoint, azurite.QueueEndpoint, azurite.TableEndpoint, credential,
            options => options.Transport = new HttpClientTransport(new HttpClientHandler
            {
                // Trust exactly the certificate this test made, nothing else.
                ServerCertificateCustomValidationCallback = (_, cert, _, errors) =>
                    errors == SslPolicyErrors.None || cert?.Thumbprint == certificate.Thumbprint,
            }));
        var hub = "Identity" + Guid.NewGuid().ToString("N")[..6];
        using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var token = cancel.Token;

        Assert.True(account.UsesToken);
        Assert.Equal("devstoreaccount1", account.AccountName);

        var (claimed, _) = await new JobIndex(account, hub).ClaimAsync("job-1", "spec", null, DateTimeOffset.UtcNow, token);
        Assert.True(claimed);

        var ledger = new AttemptLedger(new AttemptLedgerOptions { Account = account, TableName = AttemptLedgerOptions.TableNameFor(hub) });
        var attempt = await ledger.BeginAsync("job-1", "part-00001", token);
        Assert.True(await attempt.EndAsync());
        Assert.Equal((1, 1), await ledger.ReadAsync("job-1", "part-00001", token));

        var progress = new UnitProgress(account, hub);
        await progress.ReportAsync("job-1", 0, "part-00001", 7, 1, token);
        Assert.Equal((7L, 1L), await progress.ReadPageAsync("job-1", 0, token));

        var tenants = new TenantStore(account, hub, TimeSpan.FromSeconds(30), TimeProvider.System, NullLogger<TenantStore>.Instance);
        Assert.Null((await tenants.GetAsync(token)).Problem);

        var (master, _, created) = await new SecretsBlob(account, hub).ReadOrCreateAsync(token);
        Assert.True(created);
        Assert.Equal((master, false), (await new SecretsBlob(account, hub).ReadOrCreateAsync(token)) is var again ? (again.Master, again.Created) : default);

        var receipts = TableDropReceiptStore.Create(account, hub);
        await receipts.InitializeAsync(token);
        var receipt = new DropReceipt { Location = "azblob://drops/in/", Key = "in/a.jpg", ObjectETag = "e1", Status = ReceiptStatus.Claimed, UpdatedAt = DateTimeOffset.UtcNow };
        Assert.NotNull(await receipts.TryInsertAsync(receipt, token));
        var listed = new List<DropReceipt>();
        await foreach (var row in receipts.ListAsync(receipt.Location, token))
            listed.Add(row);
        Assert.Equal("in/a.jpg", Assert.Single(listed).Key);

        var queue = DropNotificationQueue.Create(account, DropNotificationQueue.DefaultName(hub));
        await queue.EnqueueAsync([new DroppedObject(Storage.StorageKind.AzureBlob, "drops", "in/a.jpg")], token);
        Assert.Single((await queue.Client.ReceiveMessagesAsync(10, cancellationToken: token)).Value);

        // Every request carried the token: Azurite with OAuth on answers 403 to a request without one.
        Assert.True(credential.Issued > 0);
    }

    private static (X509Certificate2 Certificate, string CertPem, string KeyPem) SelfSigned(string folder)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var (certPem, keyPem) = (Path.Combine(folder, "cert.pem"), Path.Combine(folder, "key.pem"));
        File.WriteAllText(certPem, certificate.ExportCertificatePem());
        File.WriteAllText(keyPem, key.ExportPkcs8PrivateKeyPem());
        return (certificate, certPem, keyPem);
    }

    /// <summary>
    /// A token of the shape Microsoft Entra issues for storage (issuer, audience, lifetime), unsigned:
    /// Azurite's basic OAuth checks those claims, not the signature.
    /// </summary>
    private sealed class UnsignedTokenCredential : TokenCredential
    {
        private int issued;

        public int Issued => Volatile.Read(ref issued);

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref issued);
            Assert.Contains("https://storage.azure.com/.default", requestContext.Scopes);
            var now = DateTimeOffset.UtcNow;
            static string Part(object value) => Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(value))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            var jwt = Part(new { alg = "RS256", typ = "JWT" }) + "." + Part(new
            {
                aud = "https://storage.azure.com",
                iss = "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
                iat = now.AddMinutes(-1).ToUnixTimeSeconds(),
                nbf = now.AddMinutes(-1).ToUnixTimeSeconds(),
                exp = now.AddHours(1).ToUnixTimeSeconds(),
            }) + ".c2lnbmF0dXJl";
            return new AccessToken(jwt, now.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
