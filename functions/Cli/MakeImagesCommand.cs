using System.CommandLine;
using Serverless.ModelZoo;

namespace Serverless.Cli;

/// <summary>`serverless make-images`: writes synthetic images of known dominant colours (for the demo and load tests).</summary>
internal static class MakeImagesCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder to write into.", Required = true };
        var count = new Option<int>("--count") { Description = "Number of images.", DefaultValueFactory = _ => 300 };
        var seed = new Option<int>("--seed") { Description = "Seed of the noise and sizes.", DefaultValueFactory = _ => 1 };
        count.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError("--count must be at least 1."); });
        var command = new Command("make-images", "Write synthetic images whose dominant colour is in their name (e.g. 00001_green.jpg).") { output, count, seed };
        command.SetAction(parse =>
        {
            var written = SyntheticImages.Write(parse.GetValue(output)!.FullName, parse.GetValue(count), parse.GetValue(seed));
            Console.WriteLine($"wrote {written.Count} images to {parse.GetValue(output)!.FullName}");
            return 0;
        });
        return command;
    }
}
