using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Serverless.Host.Apis;

namespace Serverless.Host.Hosting;

/// <summary>The host process: HTTP API and/or workers in one ASP.NET Core app (eShop's ~20-line Program).</summary>
public static class HostApp
{
    public static WebApplication Build(HostRole role, string urls, string? hostJsonPath = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
        HostConfiguration.Add(builder.Configuration, hostJsonPath);
        builder.WebHost.UseUrls(urls);
        builder.Services.AddApplicationServices(builder.Configuration, role);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapHealthApi(role);
        if (role.RunsApi())
            app.MapJobsApi();
        return app;
    }
}
