using Serverless.Infra.Tests.Support;

namespace Serverless.Infra.Tests;

/// <summary>
/// The model-volume component (used by the azure overlay): one ReadOnlyMany claim, mounted
/// read-only where the image keeps its baked models (/models), in every app pod that loads a
/// model: the api (classify) and the workers (jobs, drops).
/// </summary>
public sealed class ModelVolumeTests
{
    [Fact]
    public void The_app_pods_mount_one_read_only_many_claim_where_the_image_keeps_its_models()
    {
        var render = Kubectl.Render("overlays/azure");
        var claim = render.Get("PersistentVolumeClaim", "serverless-models");
        var modelsDir = Dockerfile.Load().Stages[^1].All("COPY").Single(c => c.Arguments.StartsWith("--from=build /models", StringComparison.Ordinal))
            .Arguments.Split(' ')[^1];

        Assert.Equal(["ReadOnlyMany"], claim.Body["spec"]!["accessModes"]!.AsArray().Select(m => (string)m!));
        Assert.False(string.IsNullOrEmpty((string?)claim.Body["spec"]!["storageClassName"]), "the azure overlay names no storage class for the models");
        foreach (var name in new[] { "serverless-api", "serverless-worker" })
        {
            var deployment = render.Get("Deployment", name);
            var volume = Assert.Single(Manifest.Items(deployment.PodSpec!["volumes"]), v => v["persistentVolumeClaim"] is not null);
            Assert.Equal(claim.Name, (string?)volume["persistentVolumeClaim"]!["claimName"]);
            Assert.True((bool?)volume["persistentVolumeClaim"]!["readOnly"] == true, $"{deployment.Id} mounts the claim writable");
            var mount = Assert.Single(Manifest.Items(deployment.MainContainers.Single()["volumeMounts"]), m => (string?)m["name"] == (string?)volume["name"]);
            Assert.Equal(modelsDir, (string?)mount["mountPath"]);
            Assert.True((bool?)mount["readOnly"] == true, $"{deployment.Id} mounts the models writable");
        }
    }

    [Fact]
    public void The_onprem_nfs_option_binds_the_claim_to_a_read_only_many_nfs_volume_mounted_read_only()
    {
        var render = Kubectl.Render("overlays/onprem-nfs");
        var claim = render.Get("PersistentVolumeClaim", "serverless-models");
        var volume = render.Get("PersistentVolume", "serverless-models-nfs");

        Assert.Equal(["ReadOnlyMany"], volume.Body["spec"]!["accessModes"]!.AsArray().Select(m => (string)m!));
        Assert.Equal(["ReadOnlyMany"], claim.Body["spec"]!["accessModes"]!.AsArray().Select(m => (string)m!));
        Assert.True((bool?)volume.Body["spec"]!["nfs"]!["readOnly"] == true, "the NFS export is mounted writable");
        Assert.False(string.IsNullOrEmpty((string?)volume.Body["spec"]!["nfs"]!["server"]));
        // Bound by name, with no storage class on either side, so no provisioner takes the claim.
        Assert.Equal(volume.Name, (string?)claim.Body["spec"]!["volumeName"]);
        Assert.Equal("", (string?)claim.Body["spec"]!["storageClassName"]);
        Assert.Equal("", (string?)volume.Body["spec"]!["storageClassName"]);
        foreach (var name in new[] { "serverless-api", "serverless-worker" })
        {
            var deployment = render.Get("Deployment", name);
            var mounted = Assert.Single(Manifest.Items(deployment.PodSpec!["volumes"]), v => v["persistentVolumeClaim"] is not null);
            Assert.Equal(claim.Name, (string?)mounted["persistentVolumeClaim"]!["claimName"]);
            var mount = Assert.Single(Manifest.Items(deployment.MainContainers.Single()["volumeMounts"]), m => (string?)m["name"] == (string?)mounted["name"]);
            Assert.Equal("/models", (string?)mount["mountPath"]);
            Assert.True((bool?)mount["readOnly"] == true, $"{deployment.Id} mounts the models writable");
        }
    }
}
