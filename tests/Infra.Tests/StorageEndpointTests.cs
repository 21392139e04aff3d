using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// The connection settings in the rendered Secrets point at services that exist, under names
/// that resolve from every namespace: KEDA's operator reads the same connection string from
/// its own namespace, where a bare service name would not resolve.
/// </summary>
public sealed class StorageEndpointTests
{
    [Fact]
    public void Onprem_connection_string_names_explicit_endpoints_of_the_in_cluster_azurite()
    {
        var render = Kubectl.Render("overlays/onprem");
        var settings = ConnectionString(render);

        // KEDA's azure-queue scaler needs QueueEndpoint spelled out for an emulator.
        foreach (var (key, serviceName) in new[] { ("BlobEndpoint", "azurite"), ("QueueEndpoint", "azurite"), ("TableEndpoint", "azurite") })
        {
            Assert.True(settings.TryGetValue(key, out var endpoint), $"AzureWebJobsStorage lacks {key}");
            AssertInClusterService(render, new Uri(endpoint!), serviceName);
        }
    }

    [Fact]
    public void Onprem_s3_endpoint_is_the_in_cluster_minio_and_its_login_is_the_apps()
    {
        var render = Kubectl.Render("overlays/onprem");
        var secret = StorageSecret(render);

        AssertInClusterService(render, new Uri(RenderedSet.SecretValue(secret, "AWS_ENDPOINT_URL_S3")!), "minio");
        var minio = render.Get("StatefulSet", "minio").Containers.Single();
        var env = Manifest.Items(minio["env"]).ToDictionary(e => (string)e["name"]!, e => e["valueFrom"]?["secretKeyRef"]);
        Assert.Equal("AWS_ACCESS_KEY_ID", (string?)env["MINIO_ROOT_USER"]?["key"]);
        Assert.Equal("AWS_SECRET_ACCESS_KEY", (string?)env["MINIO_ROOT_PASSWORD"]?["key"]);
        Assert.Equal(secret.Name, (string?)env["MINIO_ROOT_USER"]?["name"]);
    }

    [Fact]
    public void Azure_connection_string_is_a_storage_account_not_an_emulator()
    {
        var settings = ConnectionString(Kubectl.Render("overlays/azure"));

        Assert.Equal("https", settings["DefaultEndpointsProtocol"]);
        Assert.True(settings.ContainsKey("AccountName") && settings.ContainsKey("AccountKey"));
        Assert.DoesNotContain(settings.Keys, k => k.EndsWith("Endpoint", StringComparison.Ordinal));
    }

    private static Manifest StorageSecret(RenderedSet render) =>
        render.OfKind("Secret").Single(s => KustomizeRenderTests.StripHash(s.Name) == "serverless-storage");

    private static Dictionary<string, string> ConnectionString(RenderedSet render)
    {
        var value = RenderedSet.SecretValue(StorageSecret(render), "AzureWebJobsStorage")
            ?? throw new Xunit.Sdk.XunitException("serverless-storage has no AzureWebJobsStorage");
        return value.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
    }

    private static void AssertInClusterService(RenderedSet render, Uri endpoint, string serviceName)
    {
        var service = render.Get("Service", serviceName);
        Assert.Equal($"{service.Name}.{service.Namespace}.svc.cluster.local", endpoint.Host);
        var ports = Manifest.Items(service.Body["spec"]!["ports"]).Select(p => (int)p["port"]!);
        Assert.Contains(endpoint.Port, ports);
    }
}
