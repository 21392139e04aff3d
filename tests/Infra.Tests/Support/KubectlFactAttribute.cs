namespace Serverless.Infra.Tests.Support;

/// <summary>A fact that needs kubectl: skipped, with the reason, only where it is not installed.</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        Skip = Kubectl.SkipReason;
    }
}
