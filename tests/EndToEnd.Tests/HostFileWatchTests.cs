using Microsoft.Extensions.Configuration;
using Serverless.Host.Hosting;
using Serverless.TestSupport;

namespace Serverless.EndToEnd.Tests;

/// <summary>
/// The host reads its configuration files once: a reloading appsettings.json made ASP.NET Core watch
/// the working folder and every folder under it (7,795 inotify watches when started in this
/// repository, and an event for each file a job or an emulator wrote there). Built, not started.
/// </summary>
public sealed class HostFileWatchTests
{
    [Fact]
    public async Task No_configuration_file_is_watched_for_changes()
    {
        await using var app = HostApp.Build(HostRole.All, $"http://127.0.0.1:{FreePort.Next()}", customization: new HostCustomization(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        }));
        var files = ((IConfigurationRoot)app.Configuration).Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.Contains(files, f => f.Source.Path == "appsettings.json");
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is reloaded on change"));
    }
}
