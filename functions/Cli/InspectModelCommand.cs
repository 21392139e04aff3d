using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Serverless.Inference;

namespace Serverless.Cli;

/// <summary>`serverless inspect-model`: loads a model as classify would and prints every setting it will use and where it came from.</summary>
internal static class InspectModelCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "The .onnx model (manifest, labels, preprocessor_config.json beside it)." };
        var preset = new Option<string?>("--preset") { Description = "Preprocessing preset overriding the model's: imagenet, caffe, tf, vit." };
        var output = new Option<string>("-o", "--output") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json");
        var command = new Command("inspect-model", "Show what a model's input, batching, labels and preprocessing will be, and why.") { file, preset, output };
        command.SetAction(parse =>
        {
            ModelDescription description;
            try
            {
                using var cache = new ModelCache();
                description = ModelDescription.Of(cache.GetOrLoad(parse.GetValue(file)!.FullName, InferenceOptions.Default, parse.GetValue(preset)));
            }
            catch (ModelLoadException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }

            if (parse.GetValue(output) == "json")
            {
                Console.WriteLine(JsonSerializer.Serialize(description, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
                return 0;
            }

            Console.WriteLine($"model  {description.Model}");
            var name = description.Settings.Max(r => r.Name.Length);
            var value = description.Settings.Max(r => r.Value.Length);
            foreach (var row in description.Settings)
                Console.WriteLine($"{row.Name.PadRight(name)}  {row.Value.PadRight(value)}  {row.Source}");
            PrintOutputs(description.Outputs);
            return 0;
        });
        return command;
    }

    // The candidates for a job's outputs (submit --outputs): every graph output, the class and features ones marked.
    private static void PrintOutputs(IReadOnlyList<ModelOutput> outputs)
    {
        Console.WriteLine();
        Console.WriteLine("outputs (submit --outputs NAME[,NAME] stores them per image)");
        var name = Math.Max(4, outputs.Max(o => o.Name.Length));
        var shape = Math.Max(5, outputs.Max(o => o.Shape.Length));
        var type = Math.Max(4, outputs.Max(o => o.ElementType.Length));
        Console.WriteLine($"{"name".PadRight(name)}  {"shape".PadRight(shape)}  {"type".PadRight(type)}  role");
        foreach (var o in outputs)
        {
            var role = o.Role switch
            {
                ModelOutput.ClassRole => "class (top-k)",
                ModelOutput.FeaturesRole => "features",
                _ => o.Storable ? "" : "(not storable: a float tensor with the batch first is)",
            };
            Console.WriteLine($"{o.Name.PadRight(name)}  {o.Shape.PadRight(shape)}  {o.ElementType.PadRight(type)}  {role}".TrimEnd());
        }
    }
}
