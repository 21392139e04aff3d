using System.CommandLine;
using Microsoft.Extensions.Options;
using Serverless.Host.Hosting;

namespace Serverless.Cli;

/// <summary>`serverless host`: runs the HTTP API and/or the workers, like `func start`.</summary>
internal static class HostCommand
{
    public const string Name = "host";

    public static Command Create()
    {
        var role = new Option<HostRole>("--role") { Description = "What this process runs: all, api or worker.", DefaultValueFactory = _ => HostRole.All };
        var port = new Option<int>("--port") { Description = "HTTP port (the API, and /healthz in every role).", DefaultValueFactory = _ => 7071 };
        var bind = new Option<string>("--bind")
        {
            Description = "Address to listen on; 0.0.0.0 in a container.",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var hostJson = new Option<FileInfo?>("--host-json") { Description = "host.json to use (default: the working directory's, else the one shipped beside the executable)." };
        var command = new Command(Name, "Run the host: HTTP API and workers over the task hub.") { role, port, bind, hostJson };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var app = HostApp.Build(parse.GetValue(role), $"http://{parse.GetValue(bind)}:{parse.GetValue(port)}", parse.GetValue(hostJson)?.FullName);
                await app.RunAsync(ct);
                return 0;
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
            catch (OptionsValidationException e)
            {
                foreach (var failure in e.Failures)
                    Console.Error.WriteLine($"error: {failure}");
                return 1;
            }
        });
        return command;
    }
}
