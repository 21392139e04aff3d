using Azure;

namespace Serverless.Jobs.Attempts;

/// <summary>
/// One counted attempt of a batch. <see cref="CrashesBefore"/> is how many earlier attempts
/// ended with their process dead: such a batch is a suspect and runs alone (<see cref="SuspectIsolation"/>).
/// </summary>
public sealed record BatchAttempt(AttemptLedger Ledger, string JobId, string RowKey, int CrashesBefore, ETag ETag, int Starts, int Ends)
{
    /// <summary>Counts this attempt as ended (returned or threw). A short timeout of its own: it runs during shutdown too.</summary>
    public async Task EndAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Ledger.EndAsync(this, timeout.Token).ConfigureAwait(false);
    }
}
