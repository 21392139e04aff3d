using System.Text;
using System.Text.RegularExpressions;
using Serverless.TestSupport;

namespace Serverless.Infra.Tests.Support;

/// <summary>
/// The build context rules of a <c>.dockerignore</c>, as Docker applies them: patterns in
/// Go <c>filepath.Match</c> syntax plus <c>**</c>, matched against a path and each of its
/// parent folders, the last matching line deciding, <c>!</c> re-including.
/// </summary>
public sealed class DockerIgnore
{
    private readonly IReadOnlyList<(Regex Pattern, bool Include)> rules;

    private DockerIgnore(IReadOnlyList<(Regex Pattern, bool Include)> rules) => this.rules = rules;

    public static string FilePath => Path.Combine(RepoPaths.Root, ".dockerignore");

    public static DockerIgnore Load() => Parse(File.ReadAllText(FilePath));

    public static DockerIgnore Parse(string text) => new(text.Split('\n')
        .Select(l => l.Trim())
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.StartsWith('!') ? (Line: l[1..], Include: true) : (Line: l, Include: false))
        .Select(r => (ToRegex(r.Line.Trim('/')), r.Include))
        .ToList());

    /// <summary>Whether a file at <paramref name="relativePath"/> (from the context root) is sent to the builder.</summary>
    public bool IsIncluded(string relativePath)
    {
        var path = relativePath.Replace('\\', '/').Trim('/');
        var candidates = ParentsAndSelf(path).ToList();
        var included = true;
        foreach (var (pattern, include) in rules)
        {
            if (candidates.Any(pattern.IsMatch))
            {
                included = include;
            }
        }

        return included;
    }

    private static IEnumerable<string> ParentsAndSelf(string path)
    {
        for (var slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
        {
            yield return path[..slash];
        }

        yield return path;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                // "**/" matches zero or more folders; a trailing "**" anything.
                var slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
