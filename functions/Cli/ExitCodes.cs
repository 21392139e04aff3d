namespace Serverless.Cli;

/// <summary>
/// The exit codes of the `serverless` client commands (README, "The `serverless` command"):
/// 0 only on success, so a script can test a command as it tests any Unix tool.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The command did what it was asked; for `status`, the job completed.</summary>
    public const int Success = 0;

    /// <summary>The command failed (host unreachable, an error answer, storage), or the job failed or was terminated.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: an unknown option, a bad value (nothing was sent).</summary>
    public const int Usage = 2;

    /// <summary>`status` without `--wait`: the job has not ended yet (pending, running or suspended).</summary>
    public const int StillRunning = 3;

    /// <summary>Ctrl+C (SIGINT), as a shell reports a process it interrupted: 128 + 2.</summary>
    public const int Interrupted = 130;

    /// <summary>SIGTERM: 128 + 15.</summary>
    public const int Terminated = 143;

    /// <summary>The exit code for a job in <paramref name="runtimeStatus"/> (the Durable Task runtime status).</summary>
    public static int ForJob(string? runtimeStatus) => runtimeStatus switch
    {
        "Completed" => Success,
        "Pending" or "Running" or "Suspended" => StillRunning,
        _ => Failure,
    };
}
