using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;

namespace Serverless.BatchInference.Contracts;

/// <summary>
/// The JSON of the job's inputs, outputs and custom status in the task hub: camelCase, as the
/// HTTP API shows them. Every host and client of the hub uses this converter, so what one
/// writes the others read.
/// </summary>
public static class BatchJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web);

    public static DataConverter Converter { get; } = new JsonDataConverter(Options);
}
