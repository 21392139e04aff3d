using System.Xml.Linq;

namespace Serverless.Infra.Tests.Support;

/// <summary>The project files a .csproj pulls in through ProjectReference, itself included.</summary>
public static class ProjectGraph
{
    public static IReadOnlyList<string> Closure(string projectPath)
    {
        var seen = new List<string>();
        var pending = new Stack<string>([Path.GetFullPath(projectPath)]);
        while (pending.TryPop(out var project))
        {
            if (seen.Contains(project))
            {
                continue;
            }

            seen.Add(project);
            var directory = Path.GetDirectoryName(project)!;
            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetFullPath(Path.Combine(directory, include)));
            }
        }

        return seen;
    }

    /// <summary>The AssemblyName property of a project, or its file name without extension.</summary>
    public static string AssemblyName(string projectPath) =>
        XDocument.Load(projectPath).Descendants("AssemblyName").LastOrDefault()?.Value
        ?? Path.GetFileNameWithoutExtension(projectPath);
}
