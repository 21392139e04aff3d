using System.Text.Json;
using System.Text.RegularExpressions;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests.Support;

/// <summary>One instruction of a Dockerfile, continuation lines joined.</summary>
public sealed record DockerInstruction(string Keyword, string Arguments)
{
    /// <summary>The exec (JSON array) form's items, e.g. of ENTRYPOINT or CMD.</summary>
    public IReadOnlyList<string> ExecForm() => JsonSerializer.Deserialize<string[]>(Arguments)
        ?? throw new InvalidDataException($"{Keyword} is not in exec form: {Arguments}");
}

/// <summary>A build stage: <c>FROM image AS name</c> and the instructions after it.</summary>
public sealed record DockerStage(string Name, string Image, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    public DockerInstruction? Last(string keyword) => All(keyword).LastOrDefault();

    /// <summary>ARG defaults declared in this stage (an empty default is the empty string).</summary>
    public IReadOnlyDictionary<string, string> Args => All("ARG")
        .Select(a => a.Arguments.Split('=', 2))
        .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty);
}

/// <summary>A small reader of <c>infra/Dockerfile</c>: enough to check what it references.</summary>
public sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyDictionary<string, string> globalArgs, IReadOnlyList<DockerStage> stages)
    {
        GlobalArgs = globalArgs;
        Stages = stages;
    }

    public static string FilePath => Path.Combine(RepoPaths.Root, "infra", "Dockerfile");

    /// <summary>ARGs before the first FROM, with their defaults.</summary>
    public IReadOnlyDictionary<string, string> GlobalArgs { get; }

    public IReadOnlyList<DockerStage> Stages { get; }

    public DockerStage Stage(string name) => Stages.Single(s => s.Name == name);

    public static Dockerfile Load() => Parse(File.ReadAllText(FilePath));

    /// <summary>infra/functions.Dockerfile: the Functions app on the Functions host image.</summary>
    public static string FunctionsFilePath => Path.Combine(RepoPaths.Root, "infra", "functions.Dockerfile");

    public static Dockerfile LoadFunctions() => Parse(File.ReadAllText(FunctionsFilePath));

    public static Dockerfile Parse(string text)
    {
        var instructions = JoinContinuations(text)
            .Select(line => line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries))
            .Select(parts => new DockerInstruction(parts[0].ToUpperInvariant(), parts.Length > 1 ? parts[1].Trim() : string.Empty))
            .ToList();

        var globalArgs = instructions.TakeWhile(i => i.Keyword != "FROM").Where(i => i.Keyword == "ARG")
            .Select(a => a.Arguments.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : string.Empty);
        var stages = new List<DockerStage>();
        foreach (var (from, index) in instructions.Select((i, n) => (i, n)).Where(p => p.i.Keyword == "FROM"))
        {
            var match = FromPattern().Match(from.Arguments);
            var body = instructions.Skip(index + 1).TakeWhile(i => i.Keyword != "FROM").ToList();
            stages.Add(new DockerStage(
                Name: match.Groups["name"].Success ? match.Groups["name"].Value : stages.Count.ToString(),
                Image: Expand(match.Groups["image"].Value, globalArgs),
                Instructions: body));
        }

        return new Dockerfile(globalArgs, stages);
    }

    /// <summary>Replaces <c>${NAME}</c> and <c>$NAME</c> by the given ARG values.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> args) =>
        VariablePattern().Replace(text, m =>
        {
            var name = m.Groups["braced"].Success ? m.Groups["braced"].Value : m.Groups["bare"].Value;
            return args.TryGetValue(name, out var value) ? value : m.Value;
        });

    private static IEnumerable<string> JoinContinuations(string text)
    {
        var current = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            // Comment lines end nothing: inside a continued instruction they are dropped.
            if (line.TrimStart().StartsWith('#') || (line.Trim().Length == 0 && current.Count == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current.Add(line[..^1].Trim());
                continue;
            }

            current.Add(line.Trim());
            yield return string.Join(' ', current.Where(p => p.Length > 0));
            current.Clear();
        }

        if (current.Count > 0)
        {
            yield return string.Join(' ', current);
        }
    }

    [GeneratedRegex(@"^(--\S+\s+)*(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromPattern();

    [GeneratedRegex(@"\$\{(?<braced>[A-Za-z_][A-Za-z0-9_]*)\}|\$(?<bare>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex VariablePattern();
}
