using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serverless.Jobs.Configuration;
using Serverless.Api;
using Serverless.Host.Dashboard;
using Serverless.Host.Logging;
using Serverless.Drops.Watching;
using Serverless.Host.Security;
using Serverless.Host.Telemetry;

namespace Serverless.Host.Hosting;

/// <summary>The host process: HTTP API and/or workers in one ASP.NET Core app (eShop's ~20-line Program).</summary>
public static class HostApp
{
    /// <param name="customization">
    /// Settings layered over the host's configuration, and services registered after the host's own
    /// (tests run the host in process with their settings; the tests' worker process swaps the job storage).
    /// </param>
    public static WebApplication Build(HostRole role, string urls, string? hostJsonPath = null, HostCustomization? customization = null)
    {
        // No reload of appsettings.json on change: its watcher watches the content root (the working folder)
        // and every folder under it, thousands of inotify watches and events from a data folder in it.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = Directory.GetCurrentDirectory(),
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        HostConfiguration.Add(builder.Configuration, hostJsonPath);
        if (customization?.Settings is { } settings)
            builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls(urls);
        builder.Logging.WithoutKeyedRequestLines();
        var http = HttpSecurityOptions.From(builder.Configuration, InferenceOptionsFactory.Create(builder.Configuration));
        // Kestrel's own ceiling; each endpoint's limit is applied per request by the security middleware.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = http.LargestBodyBytes);
        builder.Services.AddApplicationServices(builder.Configuration, role).AddHostSecurity(http).AddHttpEdge(builder.Configuration);
        customization?.Services?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseForwardedHeaders();
        app.UseRouting();
        app.UseConfiguredCors(builder.Configuration);
        app.UseHostSecurity();
        app.MapGroup("").RequireAuthLevel(AuthLevel.Anonymous).MapHealthApi(role.ToString().ToLowerInvariant());
        app.MapMetrics();
        if (role.RunsApi())
        {
            app.MapGroup("").RequireAuthLevel(http.Jobs).WithBodyLimit(http.JobsBodyBytes).MapJobsApi();
            // One rule for both families (api/jobs and runtime/webhooks/durabletask): reads with the
            // jobs' key, every change of an instance with the master key, as Durable Functions' system key.
            var instances = app.MapInstanceApi();
            instances.Reads.RequireAuthLevel(http.Jobs);
            // A tenant's admin key may change its own tenant's jobs (the handlers check whose the job is); the master key all.
            instances.Changes.RequireAuthLevel(AuthLevel.Admin).RequireTenantRole(Serverless.Jobs.Tenancy.TenantRole.Admin).WithBodyLimit(http.JobsBodyBytes);
            app.MapClassifyApi().RequireAuthLevel(http.Classify).WithBodyLimit(http.ClassifyBodyBytes);
            app.MapDropsApi().RequireAuthLevel(AuthLevel.Function).WithBodyLimit(DropsApi.MaxBodyBytes);
            app.MapDashboard();
            // Priorities and the scheduler's state: the master key, or a tenant's admin key for its own jobs.
            app.MapSchedulerApi().RequireAuthLevel(AuthLevel.Admin).RequireTenantRole(Serverless.Jobs.Tenancy.TenantRole.Admin).WithBodyLimit(http.JobsBodyBytes);
            // Tenants and their keys: the platform admin's (master key only).
            app.MapTenantsApi().RequireAuthLevel(AuthLevel.Admin).WithBodyLimit(http.JobsBodyBytes);
        }
        return app;
    }
}

/// <summary>What a caller of <see cref="HostApp.Build"/> adds to the host: settings over its configuration, services after its own.</summary>
public sealed record HostCustomization(IReadOnlyDictionary<string, string?>? Settings = null, Action<IServiceCollection>? Services = null);
