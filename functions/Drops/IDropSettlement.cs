namespace Serverless.Drops;

/// <summary>
/// Where a drop processor reports what became of each version it handled: settled for good
/// (classified and written, superseded, poison), or to be looked at again once its claim may expire.
/// A watcher keeps this to skip versions in its next listing; a blob trigger needs none of it.
/// </summary>
public interface IDropSettlement
{
    void Settle(ObjectVersion version);

    void Defer(ObjectVersion version, DateTimeOffset until);
}

/// <summary>For callers that look at each version once (a blob trigger): nothing to remember.</summary>
public sealed class NoSettlement : IDropSettlement
{
    public static NoSettlement Instance { get; } = new();

    public void Settle(ObjectVersion version)
    {
    }

    public void Defer(ObjectVersion version, DateTimeOffset until)
    {
    }
}
