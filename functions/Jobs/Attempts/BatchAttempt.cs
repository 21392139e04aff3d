using Azure;

namespace Serverless.Jobs.Attempts;

/// <summary>
/// One counted attempt of a batch. <see cref="CrashesBefore"/> is how many earlier attempts
/// ended with their process dead: such a batch is a suspect and runs alone (<see cref="SuspectIsolation"/>).
/// </summary>
public sealed record BatchAttempt(AttemptLedger Ledger, string JobId, string RowKey, int CrashesBefore, ETag ETag, int Starts, int Ends)
{
    /// <summary>
    /// Counts this attempt as ended (returned or threw), retrying the write within a budget of its
    /// own (<see cref="AttemptLedger.EndTimeout"/>: it runs during shutdown too). Never throws for
    /// storage: an end it could not record is kept and written before the ledger's next begin, so
    /// a blip after a good batch neither fails the batch nor counts as a crash.
    /// </summary>
    /// <returns>True when recorded now; false when deferred.</returns>
    public async Task<bool> EndAsync()
    {
        using var timeout = new CancellationTokenSource(Ledger.EndTimeout);
        return await Ledger.EndAsync(this, timeout.Token).ConfigureAwait(false);
    }
}
