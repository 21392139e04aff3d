using System.Text.RegularExpressions;
using Serverless.Infra.Tests.Support;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests;

/// <summary>
/// Development credentials live in the on-prem overlay alone, marked as such on the Secrets they
/// make; the other overlays ship placeholders. The MinIO image's CVE status is documented.
/// </summary>
public sealed partial class CredentialTests
{
    /// <summary>Azurite's published account key: a development credential wherever it appears.</summary>
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void Onprem_secrets_are_labelled_development_credentials()
    {
        var secrets = Kubectl.Render("overlays/onprem").OfKind("Secret").ToList();

        Assert.NotEmpty(secrets);
        Assert.All(secrets, s => Assert.Equal("development", Manifest.StringMap(s.Body["metadata"]!["labels"]).GetValueOrDefault("serverless.io/credentials")));
        Assert.Contains(secrets, s => RenderedSet.SecretValue(s, "AzureWebJobsStorage")?.Contains(AzuriteKey) == true);
    }

    [Theory]
    [InlineData("overlays/azure")]
    [InlineData("overlays/functions-host")]
    public void Other_overlays_ship_only_placeholders(string root)
    {
        var secrets = Kubectl.Render(root).OfKind("Secret").ToList();

        Assert.NotEmpty(secrets);
        foreach (var secret in secrets)
        {
            Assert.False(Manifest.StringMap(secret.Body["metadata"]!["labels"]).ContainsKey("serverless.io/credentials"), $"{secret.Id} is labelled as development credentials");
            foreach (var key in RenderedSet.KeysOf(secret))
            {
                var value = RenderedSet.SecretValue(secret, key)!;
                Assert.DoesNotContain(AzuriteKey, value);
                // A key, password or account key is a placeholder; only names like a region may be real.
                if (Regex.IsMatch(key, @"KEY|SECRET|AzureWebJobsStorage|^host\."))
                    Assert.Contains("REPLACE_ME", value);
            }
        }
    }

    [Fact]
    public void Onprem_env_files_say_they_hold_development_credentials()
    {
        var first = File.ReadLines(Path.Combine(RepoPaths.Root, "infra", "k8s", "overlays", "onprem", "storage.env")).First();
        Assert.StartsWith("# DEVELOPMENT CREDENTIALS", first);
    }

    [Theory]
    [InlineData("overlays/onprem")]
    [InlineData("overlays/azure")]
    public void The_host_refuses_every_key_an_overlay_ships(string root)
    {
        // Applied unchanged, an overlay must not start a host on a key anyone can read here.
        var keys = Kubectl.Render(root).OfKind("Secret").SelectMany(s => RenderedSet.KeysOf(s).Select(k => (Key: k, Value: RenderedSet.SecretValue(s, k)!)))
            .Where(k => k.Key.StartsWith("SERVERLESS_", StringComparison.Ordinal) && k.Key.EndsWith("_KEY", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, keys.Count);
        Assert.All(keys, k => Assert.Contains(k.Key, Serverless.Api.KeyPolicy.Problem(k.Key, k.Value)));
    }

    [Fact]
    public void The_functions_host_overlay_checks_its_keys_before_the_functions_host_serves_them()
    {
        // The Functions host accepts any key: every pod that mounts the keys runs check-keys first, on the same files.
        var render = Kubectl.Render("overlays/functions-host");
        var keys = render.OfKind("Secret").Where(s => RenderedSet.KeysOf(s).Any(k => k.StartsWith("host.", StringComparison.Ordinal)))
            .SelectMany(s => RenderedSet.KeysOf(s).Select(k => (Key: k, Value: RenderedSet.SecretValue(s, k)!))).ToList();
        Assert.Equal(3, keys.Count);
        Assert.All(keys, k => Assert.Contains(k.Key, Serverless.Api.KeyPolicy.Problem(k.Key, k.Value)));

        var mounting = render.Workloads.Where(w => w.MainContainers.Any(c => Manifest.Items(c["volumeMounts"]).Any(m => (string?)m["mountPath"] == "/run/secrets/functions-keys"))).ToList();
        Assert.Equal(2, mounting.Count);
        foreach (var workload in mounting)
        {
            var check = Assert.Single(Manifest.Items(workload.PodSpec!["initContainers"]), c => (string?)c["name"] == "check-keys");
            Assert.Equal(["dotnet", "/home/site/wwwroot/Serverless.App.dll", "check-keys", "/run/secrets/functions-keys"], check["command"]!.AsArray().Select(a => (string)a!));
            Assert.Equal(workload.MainContainers.Single()["image"]!.ToString(), check["image"]!.ToString());
            Assert.Contains(Manifest.Items(check["volumeMounts"]), m => (string?)m["mountPath"] == "/run/secrets/functions-keys");
        }
    }

    [Fact]
    public void Every_sample_key_in_the_docs_is_refused()
    {
        // The keys shown in README and local/*.md must never work if pasted into a deployment.
        var docs = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")) + File.ReadAllText(Path.Combine(RepoPaths.Local, "k8s.md"));
        foreach (Match m in Regex.Matches(docs, @"(?:SERVERLESS_(?:MASTER|FUNCTION)_KEY=|x-functions-key:\s*)([A-Za-z0-9_\-]{4,})"))
        {
            Assert.NotNull(Serverless.Api.KeyPolicy.Problem("sample", m.Groups[1].Value));
        }

        Assert.All(Serverless.Api.KeyPolicy.KnownSamples, v => Assert.NotNull(Serverless.Api.KeyPolicy.Problem("sample", v)));
    }

    [Fact]
    public void A_minio_release_older_than_the_cve_2025_62506_fix_is_documented_with_its_alternatives()
    {
        const string fixedIn = "RELEASE.2025-10-15T17-29-55Z";
        var image = (string)Kubectl.Render("overlays/onprem").Get("StatefulSet", "minio").Containers.Single()["image"]!;
        var tag = MinioTag().Match(image).Value;
        Assert.False(string.IsNullOrEmpty(tag), $"the MinIO image {image} is not pinned to a release tag");

        // Release tags are timestamps: they sort as strings.
        if (string.CompareOrdinal(tag, fixedIn) < 0)
        {
            var doc = File.ReadAllText(Path.Combine(RepoPaths.Local, "k8s.md"));
            Assert.Contains("CVE-2025-62506", doc);
            Assert.Contains(tag, doc);
            Assert.Contains(fixedIn, doc);
        }
    }

    [GeneratedRegex(@"RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z")]
    private static partial Regex MinioTag();
}
