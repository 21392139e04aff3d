using Serverless.BatchInference.Contracts;
using Serverless.Jobs.Merge;
using Serverless.Storage;
using Serverless.Storage.Results;

namespace Serverless.Jobs.Pages;

/// <summary>
/// The manifest columns a job carries into its rows, gathered page by page into
/// <see cref="JobSpec.PassthroughColumns"/>: a Parquet file and a CSV header need every column named
/// before the first row, and a JSON Lines manifest's rows may each have other fields.
/// </summary>
public static class PassthroughNames
{
    /// <summary>The job's columns so far with those of <paramref name="page"/>'s rows, in order of first sight; null when there are none.</summary>
    /// <exception cref="JobConfigurationException">More than <see cref="JobSpec.MaxPassthroughColumns"/>, or (Parquet) a name the file already has.</exception>
    public static IReadOnlyList<string>? With(JobSpec job, SourcePage page)
    {
        var names = new List<string>(job.PassthroughColumns ?? []);
        var known = new HashSet<string>(names, StringComparer.Ordinal);
        foreach (var column in (page.Objects ?? []).Where(o => o.Columns is not null).SelectMany(o => o.Columns!.Keys))
        {
            if (!known.Add(column))
                continue;
            if (known.Count > JobSpec.MaxPassthroughColumns)
                throw new JobConfigurationException($"the manifest {job.Manifest} has more than {JobSpec.MaxPassthroughColumns} columns besides its key (the most a job carries into its rows); drop the ones the output does not need");
            if (job.Format == "parquet" && (ParquetPredictions.FixedNames.Contains(column) || (job.Outputs ?? []).Contains(column, StringComparer.Ordinal)))
                throw new JobConfigurationException($"the manifest {job.Manifest} has a column '{column}', a column the Parquet predictions already have; rename it in the manifest (JSON Lines output keeps it as a field)");
            if (job.Format == "csv" && PredictionCsv.FixedNames.Contains(column))
                throw new JobConfigurationException($"the manifest {job.Manifest} has a column '{column}', a column the CSV predictions already have; rename it in the manifest (JSON Lines output keeps it as a field)");
            names.Add(column);
        }
        return names.Count > 0 ? names : null;
    }
}
