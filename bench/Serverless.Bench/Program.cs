using Serverless.Bench;

// bench/run.sh <name> [--option value ...]: results as key=value on stdout, diagnostics on stderr.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: bench/run.sh <inference|peak|sweep|orchestration|job|scale|drop|fairness|dataio> [--option value ...]  (see bench/README.md)");
    return 2;
}

try
{
    var options = new BenchArgs(args.Skip(1));
    return args[0] switch
    {
        "inference" => await InferenceBenchmark.RunAsync(options),
        "orchestration" => await OrchestrationBenchmark.RunAsync(options),
        "job" => await JobBenchmark.RunAsync(options),
        "scale" => await ScaleBenchmark.RunAsync(options),
        "drop" => await DropBenchmark.RunAsync(options),
        "peak" => await PeakBenchmark.RunAsync(options),
        "sweep" => await SweepBenchmark.RunAsync(options),
        "fairness" => await FairnessBenchmark.RunAsync(options),
        "dataio" => await DataIoBenchmark.RunAsync(options),
        _ => Usage($"unknown benchmark '{args[0]}'"),
    };
}
catch (ArgumentException e)
{
    return Usage(e.Message);
}

static int Usage(string message)
{
    Console.Error.WriteLine($"bench: {message}");
    Console.Error.WriteLine("usage: bench/run.sh <inference|peak|sweep|orchestration|job|scale|drop|fairness|dataio> [--option value ...]  (see bench/README.md)");
    return 2;
}
