namespace Serverless.Infra.Tests.Support;

/// <summary>A theory that needs kubectl: skipped, with the reason, only where it is not installed.</summary>
public sealed class KubectlTheoryAttribute : TheoryAttribute
{
    public KubectlTheoryAttribute()
    {
        Skip = Kubectl.SkipReason;
    }
}
