using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serverless.Jobs.Configuration;
using Serverless.Drops;
using Serverless.BatchInference.Contracts;
using Serverless.Activities;
using Serverless.Jobs;
using Serverless.App.Security;

namespace Serverless.App;

/// <summary>What the Functions app adds to the worker: the services both hosts share, read from the same settings.</summary>
public static class AppServices
{
    public static FunctionsApplicationBuilder AddBatchInferenceApp(this FunctionsApplicationBuilder builder)
    {
        // The Functions host reads host.json, its worker does not: read it here too, so the hub name,
        // the batch defaults and the poison cap come from the one file both hosts ship.
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "host.json"), optional: true, reloadOnChange: false);
        builder.Services.AddBatchInferenceApp(builder.Configuration);
        builder.Services.AddHostedService<CancelActivitiesOnStop>();
        // After the ASP.NET Core integration's own middleware, which puts the request's HttpContext in the invocation.
        builder.UseMiddleware<TenantKeyMiddleware>();
        return builder;
    }

    /// <summary>The services the functions take (tests build the same container to call the functions directly).</summary>
    public static IServiceCollection AddBatchInferenceApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBatchInference(configuration);
        // Orchestration inputs, outputs and custom status in the hub as camelCase JSON, like the self-host writes them.
        services.Configure<WorkerOptions>(options => options.Serializer = new JsonObjectSerializer(BatchJson.Options));
        services.AddOptions<DropOptions>().BindConfiguration(DropOptions.SectionName);
        services.AddSingleton<IDropReceiptStore>(sp => TableDropReceiptStore.Create(sp.GetRequiredService<TaskHubAccount>(), TaskHubSettings.HubName(configuration)));
        services.AddSingleton<DropIntake>();
        return services;
    }
}

/// <summary>Cancels running activities when the Functions host stops this worker (the activities' only cancellation).</summary>
internal sealed class CancelActivitiesOnStop(IHostApplicationLifetime lifetime, ActivityShutdown shutdown) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(shutdown.CancelRunning);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
