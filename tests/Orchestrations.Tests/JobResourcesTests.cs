using Serverless.Orchestrations.Tests.Support;

namespace Serverless.Orchestrations.Tests;

/// <summary>
/// What a worker checks again where a job's paths are used (it is not the process that accepted
/// the job), and the bound on the classifiers a process keeps.
/// </summary>
[Collection(TaskHubCollection.Name)]
public sealed class JobResourcesTests(TaskHubHost hub)
{
    [Fact]
    public void A_local_location_outside_the_worker_root_is_refused_where_it_is_used()
    {
        Assert.Throws<ArgumentException>(() => hub.Resources.Source("/etc"));
        Assert.Throws<ArgumentException>(() => hub.Resources.Results(Path.Combine(hub.Root, "..", "elsewhere")));
        Assert.NotNull(hub.Resources.Source(Path.Combine(hub.Root, "inside")));
    }

    [Fact]
    public void A_model_outside_the_models_root_is_refused_where_it_is_loaded()
    {
        var error = Assert.Throws<ArgumentException>(() => hub.Resources.Model("/etc/hostname", null));
        Assert.Contains("not inside the models root", error.Message);
        Assert.Throws<ArgumentException>(() => hub.Resources.Classifier("../../etc/hostname", null, 1, 1));
    }

    [Fact]
    public void The_classifiers_kept_are_bounded_and_one_in_use_is_never_dropped()
    {
        // Many top-k values, as a caller varying `top` would ask for: no more than the bound stay.
        for (var top = 1; top <= 20; top++)
            hub.Resources.Classifier(hub.Model, null, 1, top).Dispose();
        Assert.InRange(hub.Classifiers.Count, 1, 8);

        var held = Enumerable.Range(100, 10).Select(top => hub.Resources.Classifier(hub.Model, null, 1, top)).ToList();
        // All in use: the bound gives way rather than dispose a classifier someone holds.
        Assert.True(hub.Classifiers.Count >= 10);
        Assert.All(held, lease => Assert.Equal(1, lease.Classifier.BatchSize));
        held.ForEach(lease => lease.Dispose());
        Assert.InRange(hub.Classifiers.Count, 1, 8);
    }
}
