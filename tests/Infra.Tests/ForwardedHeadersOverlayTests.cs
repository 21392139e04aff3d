using System.Net;
using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// The self-host trusts X-Forwarded-Proto/-Host only from <c>http:forwardedHeaders:knownNetworks</c>
/// (issue 25 item 10): behind an ingress the api must name the ingress's pod network, or the management
/// URLs name the pod itself; and never every address, or any client could redirect them.
/// </summary>
public sealed class ForwardedHeadersOverlayTests
{
    [Theory]
    [InlineData("overlays/onprem")]
    [InlineData("overlays/azure")]
    [InlineData("overlays/onprem-nfs")]
    public void The_api_trusts_forwarded_headers_from_a_private_pod_network_only(string root)
    {
        var api = Kubectl.Render(root).Get("Deployment", "serverless-api").MainContainers.Single();
        var setting = Manifest.Items(api["env"]).SingleOrDefault(e => (string?)e["name"] == "http__forwardedHeaders__knownNetworks");
        Assert.True(setting is not null, $"{root}: the api does not set http__forwardedHeaders__knownNetworks");

        var networks = ((string)setting!["value"]!).Split(',', StringSplitOptions.TrimEntries).Select(IPNetwork.Parse).ToList();
        Assert.NotEmpty(networks);
        var privateRanges = new[] { IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16") };
        Assert.All(networks, n => Assert.True(n.PrefixLength >= 8 && privateRanges.Any(p => p.Contains(n.BaseAddress) && n.PrefixLength >= p.PrefixLength),
            $"{root}: {n} is not inside a private range"));
    }
}
