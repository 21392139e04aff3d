using System.CommandLine;

namespace Serverless.Host.Cli;

/// <summary>The options every client command shares: where the host is, and its key.</summary>
internal sealed class ClientOptions
{
    public Option<string> Url { get; } = new("--url")
    {
        Description = "Base URL of the host (env SERVERLESS_URL).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SERVERLESS_URL") ?? "http://127.0.0.1:7071",
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = "Function or master key (env SERVERLESS_KEY).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SERVERLESS_KEY"),
    };

    public Option<string> Output { get; } = new("-o", "--output") { Description = "Output format: table or json.", DefaultValueFactory = _ => "table" };

    public void AddTo(Command command)
    {
        command.Options.Add(Url);
        command.Options.Add(Key);
        command.Options.Add(Output);
    }

    public JobsClient CreateClient(ParseResult parse) => new(new Uri(parse.GetValue(Url)!), parse.GetValue(Key));
}
